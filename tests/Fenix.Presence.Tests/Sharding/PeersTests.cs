using Fenix.Presence.Tests.Support;
using Fenix.Presence.Tracker;
using Xunit;

namespace Fenix.Presence.Tests.Sharding;

/// <summary><see cref="PresenceTracker.GetPeersAsync"/>: one entry per other node, down as soon as any of its shards is.</summary>
public sealed class PeersTests : IAsyncLifetime
{
    private readonly TestNetwork _net = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _net.DisposeAsync();

    [Fact]
    public async Task Peers_are_listed_once_per_node_over_all_shards_and_go_down_when_silent()
    {
        var a = await _net.StartAsync("a", options => options.PoolSize = 3);
        await _net.StartAsync("b", options => options.PoolSize = 3);
        await _net.StartAsync("c", options => options.PoolSize = 3);
        await _net.GossipAsync();
        Assert.Equal([new("b", ReplicaStatus.Up), new("c", ReplicaStatus.Up)], await a.Presence.GetPeersAsync());

        _net.Cluster.Isolate("c");
        await _net.RunAsync(TimeSpan.FromSeconds(2.5)); // past the down period (2 s)
        Assert.Equal([new("b", ReplicaStatus.Up), new("c", ReplicaStatus.Down)], await a.Presence.GetPeersAsync());
    }
}
