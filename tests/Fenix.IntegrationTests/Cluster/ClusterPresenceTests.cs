using System.Diagnostics;
using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>Presence across Chat processes over RabbitMQ.</summary>
public sealed class RabbitMqClusterPresenceTests(PresenceChatCluster cluster, ITestOutputHelper output) : ClusterPresenceTests<PresenceChatCluster>(cluster, output);

/// <summary>Presence across Chat processes over Redis: exactly the same tests.</summary>
public sealed class RedisClusterPresenceTests(RedisPresenceChatCluster cluster, ITestOutputHelper output) : ClusterPresenceTests<RedisPresenceChatCluster>(cluster, output);

/// <summary>Presence across Chat processes (protocol.md §8): joins replicate, a crashed node's users leave, a restarted node catches up.</summary>
public abstract class ClusterPresenceTests<TCluster>(TCluster cluster, ITestOutputHelper output) : IClassFixture<TCluster>
    where TCluster : ChatCluster
{
    /// <summary>
    /// How soon a killed node's users must have left elsewhere: well below Phoenix's default down period (30 s), so that
    /// only the configured one (<see cref="QuickPresence.DownPeriod"/>, 3 s) passes, with room for a loaded machine.
    /// </summary>
    private static readonly TimeSpan LeftWithin = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_presence_joined_on_one_node_is_seen_on_the_others()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var ann = await JoinLobbyAsync(js, node: 0, "p-ann");
        var bob = await JoinLobbyAsync(js, node: 1, "p-bob");
        var cid = await JoinLobbyAsync(js, node: 2, "p-cid");

        foreach (var channel in new[] { ann, bob, cid })
        {
            await WaitForListAsync(js, channel, keys => keys.IsSupersetOf(["p-ann", "p-bob", "p-cid"]), "all three users");
        }
    }

    [Fact]
    public async Task A_killed_nodes_users_leave_elsewhere_within_the_down_period_and_its_restart_catches_up()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var dan = await JoinLobbyAsync(js, node: 0, "k-dan");
        var eve = await JoinLobbyAsync(js, node: 1, "k-eve"); // on the node that dies
        var fay = await JoinLobbyAsync(js, node: 2, "k-fay");
        await WaitForListAsync(js, dan, keys => keys.Contains("k-eve") && keys.Contains("k-fay"), "eve and fay on node 1");
        await WaitForListAsync(js, fay, keys => keys.Contains("k-eve") && keys.Contains("k-dan"), "eve and dan on node 3");

        await cluster.Nodes[1].KillAsync();
        var killed = Stopwatch.StartNew();
        try
        {
            await WaitForLeaveAsync(js, dan, "k-eve");
            await WaitForLeaveAsync(js, fay, "k-eve");
            var elapsed = killed.Elapsed;
            output.WriteLine($"eve left on nodes 1 and 3 {elapsed.TotalSeconds:0.00} s after node 2 was killed (down period {QuickPresence.DownPeriod.TotalSeconds} s)");
            Assert.True(elapsed < LeftWithin, $"eve left after {elapsed}, down period {QuickPresence.DownPeriod}");
        }
        finally
        {
            await cluster.RestartAsync(1);
        }

        // The restarted node is a new replica: it learns the others' presences by transfer, and they learn its users.
        var gil = await JoinLobbyAsync(js, node: 1, "k-gil");
        await WaitForListAsync(js, gil, keys => keys.IsSupersetOf(["k-dan", "k-fay", "k-gil"]), "the full state on the restarted node");
        await WaitForListAsync(js, dan, keys => keys.Contains("k-gil"), "gil on node 1");
        output.WriteLine($"the restarted node had the full state {killed.Elapsed.TotalSeconds:0.00} s after the kill");
    }

    private async Task<string> JoinLobbyAsync(Infrastructure.JsClient js, int node, string user)
    {
        var socket = await js.ConnectOpenAsync(cluster.Nodes[node].BaseUri, "/socket", new { user });
        var channel = await js.JoinAsync(socket, "rooms:lobby", withPresence: true);
        await js.WaitForJoinAsync(channel);
        return channel;
    }

    /// <summary>Waits for a presence sync on <paramref name="channel"/> whose keys satisfy <paramref name="done"/>.</summary>
    private static Task<JsonObject> WaitForListAsync(Infrastructure.JsClient js, string channel, Func<HashSet<string>, bool> done, string what) =>
        js.WaitForAsync(
            e => Infrastructure.JsClient.Type(e) == "presence_sync" && Infrastructure.JsClient.Str(e, "channel") == channel && done(Keys(e)),
            what,
            Patience.Default);

    private static Task<JsonObject> WaitForLeaveAsync(Infrastructure.JsClient js, string channel, string key) =>
        js.WaitForAsync(
            e => Infrastructure.JsClient.Type(e) == "presence_leave" && Infrastructure.JsClient.Str(e, "channel") == channel && Infrastructure.JsClient.Str(e, "key") == key,
            $"{key} to leave on {channel}",
            LeftWithin);

    private static HashSet<string> Keys(JsonObject sync) =>
        [.. (sync["list"] as JsonArray ?? []).Select(item => item!["key"]!.GetValue<string>())];
}
