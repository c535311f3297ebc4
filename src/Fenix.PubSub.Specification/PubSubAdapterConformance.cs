using Xunit;

namespace Fenix.PubSub.Specification;

/// <summary>
/// What every PubSub adapter must do (protocol.md §4.12, the <see cref="IPubSubAdapter"/> contract), as one suite that
/// each adapter's test project inherits — in the manner of phoenix_pubsub's shared adapter tests. Each test runs
/// <see cref="FenixPubSub"/> instances as nodes over the adapter under test; tests that need more nodes than the adapter can
/// form in one process (<see cref="MaxNodes"/>) are skipped.
/// </summary>
/// <remarks>
/// Absence is asserted with barriers, never with sleeps: the contract keeps one publisher's messages in order at each
/// node, so once a later message from the same publisher arrived, an earlier one that should not have, would have.
/// </remarks>
public abstract partial class PubSubAdapterConformance : IAsyncLifetime
{
    private readonly List<ConformanceNode> _nodes = [];
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    /// <summary>How many nodes that can talk to each other the adapter forms in one process (1: no cluster).</summary>
    protected abstract int MaxNodes { get; }

    /// <summary>How long a test waits for an expected delivery.</summary>
    protected virtual TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(10);

    /// <summary>A unique topic name for this test.</summary>
    protected string Topic(string name) => $"conformance:{_run}:{name}";

    /// <summary>Builds the adapter of a new node named <paramref name="nodeName"/> (unique per test).</summary>
    protected abstract IPubSubAdapter CreateAdapter(string nodeName);

    /// <summary>
    /// Completes once subscriptions made so far on <paramref name="nodes"/> take effect for broadcasts from other nodes
    /// (e.g. broker bindings are in place). The default does nothing.
    /// </summary>
    protected virtual Task SettleAsync(IReadOnlyList<ConformanceNode> nodes) => Task.CompletedTask;

    /// <summary>Starts a node over a new adapter.</summary>
    protected async Task<ConformanceNode> StartNodeAsync(string name)
    {
        var node = new ConformanceNode($"{name}-{_run}", CreateAdapter($"{name}-{_run}"), DeliveryTimeout);
        _nodes.Add(node);
        using var start = new CancellationTokenSource(DeliveryTimeout, TimeProvider.System); // real brokers, real time
        await node.PubSub.StartAsync(start.Token);
        return node;
    }

    /// <summary>Starts <paramref name="count"/> nodes (skipping the test when the adapter cannot form that many).</summary>
    protected async Task<ConformanceNode[]> StartNodesAsync(int count)
    {
        Assert.SkipUnless(count <= MaxNodes, $"This adapter forms at most {MaxNodes} node(s) in one process.");
        var nodes = new ConformanceNode[count];
        for (var i = 0; i < count; i++)
        {
            nodes[i] = await StartNodeAsync(((char)('a' + i)).ToString());
        }

        return nodes;
    }

    protected Task SettleAsync(params ConformanceNode[] nodes) => SettleAsync((IReadOnlyList<ConformanceNode>)nodes);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Sends a barrier from <paramref name="from"/> to <paramref name="to"/> and waits for it: every message
    /// <paramref name="from"/> sent to <paramref name="to"/> before has arrived by then.
    /// </summary>
    protected async Task BarrierAsync(ConformanceNode from, ConformanceNode to)
    {
        var topic = Topic($"barrier-{Guid.NewGuid():N}");
        var barrier = to.Subscribe(topic);
        await SettleAsync(to);
        var text = $"barrier from {from.Name}";
        from.PubSub.Broadcast(topic, new ConformanceMessage(text));
        await barrier.WaitForAsync(text);
    }
}
