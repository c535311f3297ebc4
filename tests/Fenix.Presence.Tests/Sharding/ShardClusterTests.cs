using Fenix.Presence.Messages;
using Fenix.Presence.Tests.Support;
using Fenix.Presence.Tracker;
using Xunit;

namespace Fenix.Presence.Tests.Sharding;

/// <summary>
/// Shards on separate PubSub instances joined by an in-memory network, under a manual clock (§8.7–8.9, §8.11, §10.5 #61).
/// </summary>
public sealed class ShardClusterTests : IAsyncLifetime
{
    private readonly TestNetwork _net = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _net.DisposeAsync();

    [Fact]
    public async Task Three_nodes_converge_on_tracks_updates_and_untracks()
    {
        var a = await _net.StartAsync("a");
        var b = await _net.StartAsync("b");
        var c = await _net.StartAsync("c");
        await _net.GossipAsync();

        await a.Presence.TrackAsync("room:1", "alice", new { at = "a" });
        await b.Presence.TrackAsync("room:1", "bob", new { at = "b" });
        await c.Presence.TrackAsync("room:1", "carol", new { at = "c" });
        await c.Presence.TrackAsync("room:2", "carol", new { at = "c" });
        await _net.GossipAsync();

        foreach (var node in new[] { a, b, c })
        {
            Assert.Equal(["alice", "bob", "carol"], (await node.Presence.ListAsync("room:1")).Keys.Order());
            Assert.Equal(["carol"], (await node.Presence.ListAsync("room:2")).Keys);
        }

        await b.Presence.UpdateAsync("room:1", "bob", new { at = "b", status = "away" });
        await c.Presence.UntrackAsync("room:1", "carol");
        await _net.GossipAsync();

        foreach (var node in new[] { a, b, c })
        {
            var room = await node.Presence.ListAsync("room:1");
            Assert.Equal(["alice", "bob"], room.Keys.Order());
            Assert.Equal("away", room["bob"].Metas.Single().GetProperty("status").GetString());
        }

        // Remote changes reach each node's publisher as diffs too.
        await a.Diffs.WaitForAsync(d => d.Topic == "room:1" && d.Leaves.ContainsKey("carol"));
        await a.Diffs.WaitForAsync(d => d.Joins.ContainsKey("bob") && d.Leaves.ContainsKey("bob"));
    }

    [Fact]
    public async Task Several_shards_per_node_gossip_each_topic_on_its_own_shard()
    {
        var a = await _net.StartAsync("a", o => o.PoolSize = 4);
        var b = await _net.StartAsync("b", o => o.PoolSize = 4);
        var topics = Enumerable.Range(0, 20).Select(i => $"room:{i}").ToArray();
        Assert.True(topics.Select(t => a.Presence.ShardFor(t)).Distinct().Count() > 1, "the topics should spread over several shards");

        foreach (var topic in topics)
        {
            await a.Presence.TrackAsync(topic, "alice", new { });
            await b.Presence.TrackAsync(topic, "bob", new { });
        }

        await _net.GossipAsync();

        foreach (var topic in topics)
        {
            Assert.Equal(["alice", "bob"], (await a.Presence.ListAsync(topic)).Keys.Order());
            Assert.Equal(["alice", "bob"], (await b.Presence.ListAsync(topic)).Keys.Order());
            Assert.Equal(a.Presence.ShardFor(topic).Name, b.Presence.ShardFor(topic).Name);
        }
    }

    [Fact]
    public async Task A_silent_node_goes_down_then_comes_back_with_the_same_refs_or_is_purged_at_permdown()
    {
        var a = await _net.StartAsync("a");
        var b = await _net.StartAsync("b");
        var bobRef = await b.Presence.TrackAsync("room:1", "bob", new { });
        await _net.GossipAsync();
        Assert.True((await a.Presence.ListAsync("room:1")).ContainsKey("bob"));

        // Netsplit: after the down period b's presences leave on a (and a's on b).
        _net.Cluster.Isolate("b");
        var mark = a.Diffs.Count;
        await _net.RunAsync(TimeSpan.FromSeconds(2.5));
        Assert.Equal(ReplicaStatus.Down, (await a.ReplicaAsync("b"))!.Value.Status);
        Assert.Empty(await a.Presence.ListAsync("room:1"));
        var left = await a.Diffs.WaitForAsync(d => d.Leaves.ContainsKey("bob"), mark);
        Assert.Equal(bobRef, left.Leaves["bob"].Metas.Single().GetProperty("phx_ref").GetString());

        // Healed before permdown: the same incarnation comes back up and bob re-joins with the same phx_ref.
        _net.Cluster.Heal("b");
        mark = a.Diffs.Count;
        await _net.GossipAsync(); // includes b's next empty heartbeat
        var rejoined = await a.Diffs.WaitForAsync(d => d.Joins.ContainsKey("bob"), mark);
        Assert.Equal(bobRef, rejoined.Joins["bob"].Metas.Single().GetProperty("phx_ref").GetString());
        Assert.Equal(ReplicaStatus.Up, (await a.ReplicaAsync("b"))!.Value.Status);

        // Silent past the permdown period: b is forgotten and its presences purged.
        _net.Cluster.Isolate("b");
        await _net.RunAsync(TimeSpan.FromSeconds(10.5));
        Assert.Null(await a.ReplicaAsync("b"));
        Assert.Empty(await a.Presence.ListAsync("room:1"));
    }

    [Fact]
    public async Task A_restarted_node_purges_its_previous_incarnation_at_its_first_heartbeat()
    {
        var a = await _net.StartAsync("a");
        var b = await _net.StartAsync("b");
        await b.Presence.TrackAsync("room:1", "bob", new { });
        await _net.GossipAsync();
        var oldVsn = b.Shard.Replica.Vsn;

        await b.CrashAsync();
        var mark = a.Diffs.Count;
        var b2 = await _net.StartAsync("b");
        await b2.Presence.TrackAsync("room:1", "bob2", new { });
        await _net.GossipAsync();

        Assert.NotEqual(oldVsn, b2.Shard.Replica.Vsn);
        await a.Diffs.WaitForAsync(d => d.Leaves.ContainsKey("bob"), mark);
        Assert.Equal(["bob2"], (await a.Presence.ListAsync("room:1")).Keys);
        Assert.Equal(b2.Shard.Replica, (await a.ReplicaAsync("b"))!.Value.Replica);
    }

    [Fact]
    public async Task A_new_node_gets_existing_presences_through_a_transfer()
    {
        var a = await _net.StartAsync("a");
        var b = await _net.StartAsync("b");
        for (var i = 0; i < 100; i++)
        {
            await (i % 2 == 0 ? a : b).Presence.TrackAsync("room:big", $"user{i}", new { i });
        }

        await _net.GossipAsync(); // the deltas are gone before c exists

        var c = await _net.StartAsync("c");
        await _net.GossipAsync();

        Assert.Equal(100, (await c.Presence.ListAsync("room:big")).Count);
        var joined = c.Diffs.Diffs.Where(d => d.Topic == "room:big").Sum(d => d.Joins.Count);
        Assert.Equal(100, joined);
    }

    [Fact]
    public async Task Graceful_permdown_on_shutdown_makes_peers_drop_presences_at_once()
    {
        var a = await _net.StartAsync("a");
        var b = await _net.StartAsync("b", o => o.PermdownOnShutdown = true);
        await b.Presence.TrackAsync("room:1", "bob", new { });
        await _net.GossipAsync();

        await b.Presence.StopAsync();
        await _net.SettleAsync(); // no time passes

        Assert.Empty(await a.Presence.ListAsync("room:1"));
        Assert.Null(await a.ReplicaAsync("b"));
        await a.Diffs.WaitForAsync(d => d.Leaves.ContainsKey("bob"));
    }

    [Fact]
    public async Task Without_graceful_permdown_a_stopped_node_stays_visible_until_the_down_period()
    {
        var a = await _net.StartAsync("a");
        var b = await _net.StartAsync("b");
        await b.Presence.TrackAsync("room:1", "bob", new { });
        await _net.GossipAsync();

        await b.Presence.StopAsync();
        await _net.RunAsync(TimeSpan.FromSeconds(0.8)); // b last spoke at most 1.1 s before it stopped: 1.9 s < 2 s
        Assert.True((await a.Presence.ListAsync("room:1")).ContainsKey("bob"));

        await _net.RunAsync(TimeSpan.FromSeconds(1.4));
        Assert.Empty(await a.Presence.ListAsync("room:1"));
    }

    [Fact]
    public async Task A_shard_ignores_messages_signed_with_its_own_node_name()
    {
        var a = await _net.StartAsync("a");
        var impostor = new ReplicaRef("a", a.Shard.Replica.Vsn + 1);
        var state = new TrackerState(impostor);
        state.Join("x/1", "room:1", "ghost", System.Text.Json.JsonSerializer.SerializeToElement(new { phx_ref = "g" }));

        a.PubSub.LocalBroadcast(a.Shard.Topic, new HeartbeatMessage(impostor, state.TakeDelta(), state.Clocks()));
        await a.SyncAsync();

        Assert.Empty(await a.Shard.GetReplicasAsync());
        Assert.Empty(await a.Presence.ListAsync("room:1"));
    }

    [Fact]
    public async Task An_idle_node_announces_itself_and_sends_only_periodic_empty_heartbeats()
    {
        var a = await _net.StartAsync("a");
        var b = await _net.StartAsync("b");
        await _net.RunAsync(_net.Period * 2);
        Assert.Equal(ReplicaStatus.Up, (await b.ReplicaAsync("a"))!.Value.Status);

        var before = _net.Cluster.Delivered;
        await _net.RunAsync(_net.Period * 11);
        var sent = _net.Cluster.Delivered - before;

        // One empty heartbeat each per 11 ticks (plus at most one transfer round trip when clocks differ).
        Assert.InRange(sent, 2, 6);
        Assert.Equal(ReplicaStatus.Up, (await a.ReplicaAsync("b"))!.Value.Status);
    }
}
