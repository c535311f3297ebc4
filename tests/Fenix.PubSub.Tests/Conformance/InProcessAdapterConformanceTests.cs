using Fenix.PubSub.Adapters;
using Fenix.PubSub.Specification;

namespace Fenix.PubSub.Tests.Conformance;

/// <summary>
/// The adapter conformance suite for the single-node adapter: two in-process nodes cannot talk, so the cluster tests
/// are skipped and the local semantics (delivery, broadcast_from, no echo, no throwing) are what it proves.
/// </summary>
public sealed class InProcessAdapterConformanceTests : PubSubAdapterConformance
{
    protected override int MaxNodes => 1;

    protected override IPubSubAdapter CreateAdapter(string nodeName) => new InProcessAdapter(nodeName);
}
