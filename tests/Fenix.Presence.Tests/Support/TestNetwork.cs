using Microsoft.Extensions.Time.Testing;
namespace Fenix.Presence.Tests.Support;

/// <summary>A <see cref="TestCluster"/>, its fake clock and its nodes, with helpers that move time and wait for quiet.</summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    private readonly List<TestNode> _nodes = [];

    public TestCluster Cluster { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public TimeSpan Period { get; } = TestNode.TestOptions().BroadcastPeriod;

    public async Task<TestNode> StartAsync(string name, Action<PresenceOptions>? configure = null)
    {
        var node = await TestNode.StartAsync(Cluster, name, Time, configure);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return node;
    }

    /// <summary>Lets every node handle everything in flight, repeatedly, until no message crosses the network any more.</summary>
    public async Task SettleAsync()
    {
        for (var round = 0; round < 100; round++)
        {
            var before = Cluster.Delivered;
            TestNode[] nodes;
            lock (_nodes)
            {
                nodes = [.. _nodes];
            }

            foreach (var node in nodes)
            {
                try
                {
                    await node.SyncAsync();
                }
                catch (ObjectDisposedException)
                {
                    // A stopped node: nothing left to handle.
                }
            }

            if (Cluster.Delivered == before)
            {
                return;
            }
        }

        throw new InvalidOperationException("The cluster never went quiet.");
    }

    /// <summary>Walks time forward one broadcast period at a time, settling after each tick.</summary>
    public async Task RunAsync(TimeSpan duration)
    {
        await SettleAsync();
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Period)
        {
            Time.Advance(Period);
            await SettleAsync();
        }
    }

    /// <summary>
    /// Runs enough periods for deltas and transfers to reach everyone, including idle peers that only speak every
    /// <c>MaxSilentPeriods + 1</c> ticks.
    /// </summary>
    public Task GossipAsync() => RunAsync(Period * 25);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        var errors = _nodes.SelectMany(n => n.DeliveryErrors).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("PubSub delivery errors:\n" + string.Join("\n", errors));
        }
    }
}
