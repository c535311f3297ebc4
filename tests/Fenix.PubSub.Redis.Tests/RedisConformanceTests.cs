using Fenix.PubSub.Specification;
using Fenix.Testing.Redis;

namespace Fenix.PubSub.Redis.Tests;

/// <summary>The adapter conformance suite with every node on its own connection to the shared Redis.</summary>
public sealed class RedisConformanceTests : PubSubAdapterConformance
{
    private readonly string _prefix = RedisTestServer.NewPrefix("conformance");

    protected override int MaxNodes => 3;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await RedisTestServer.EnsureAnsweringAsync();
    }

    protected override IPubSubAdapter CreateAdapter(string nodeName) =>
        new RedisAdapter(nodeName, new RedisAdapterOptions { Configuration = RedisTestServer.Configuration, Prefix = _prefix });
}
