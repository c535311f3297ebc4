using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Cluster;
using Fenix.IntegrationTests.Cluster.Backends;
using Xunit;
using Js = Fenix.IntegrationTests.Infrastructure.JsClient;

namespace Fenix.IntegrationTests.History;

/// <summary>Two Chat nodes with <c>--Chat:History true</c> over the shared Redis (under a prefix of their own); the tests kill node 1.</summary>
public sealed class KilledNodeHistoryChatCluster() : ChatCluster(new RedisBackend(), 2, forOutages: false, "--Chat:History", "true");

/// <summary>
/// A node dies (SIGKILL, no goodbye) under clients of a history topic: they come back, to the other node or to the
/// restarted one, with their last position, and get exactly what they missed — in order, each once, before live messages.
/// </summary>
public sealed class ChatNodeKillHistoryTests(KilledNodeHistoryChatCluster cluster) : IClassFixture<KilledNodeHistoryChatCluster>
{
    private Uri Node1 => cluster.Nodes[0].BaseUri;

    private Uri Node2 => cluster.Nodes[1].BaseUri;

    [Fact]
    public async Task Clients_of_a_killed_node_recover_exactly_the_missed_messages_on_the_other_node()
    {
        await NodesUpAsync();
        var m = Marker("other");
        await using var js = await Js.StartAsync();
        var (ann, annLobby) = await JoinAsync(js, Node1, "ann");
        var (amy, amyLobby) = await JoinAsync(js, Node1, "amy");
        var (_, bobLobby) = await JoinAsync(js, Node2, "bob");
        await SayAndSeeAsync(js, bobLobby, m, 1, 3, annLobby, amyLobby);

        await cluster.Nodes[0].KillAsync();
        await SayAndSeeAsync(js, bobLobby, m, 4, 8);

        // A load balancer sends their automatic reconnects to node 2; live messages race their rejoins.
        await js.RetargetAsync(ann, Node2, "/socket");
        await js.RetargetAsync(amy, Node2, "/socket");
        await SayAsync(js, bobLobby, m, 9, 12);
        foreach (var lobby in new[] { annLobby, amyLobby })
        {
            var rejoin = await RejoinAsync(js, lobby);
            Assert.True(rejoin["recovered"]!.GetValue<bool>(), rejoin.ToJsonString());
            Assert.InRange(rejoin["replayed"]!.GetValue<int>(), 5, 9); // 4–8, and those of 9–12 numbered before the read
            await ChatHistory.SeenAsync(js, lobby, $"{m}-12");
            AssertExactly(js, lobby, m, 12);
        }
    }

    [Fact]
    public async Task Clients_of_a_killed_node_recover_exactly_the_missed_messages_on_the_restarted_node()
    {
        await NodesUpAsync();
        var m = Marker("restart");
        await using var js = await Js.StartAsync();
        var (_, annLobby) = await JoinAsync(js, Node1, "ann");
        var (_, bobLobby) = await JoinAsync(js, Node2, "bob");
        await SayAndSeeAsync(js, bobLobby, m, 1, 3, annLobby);

        await cluster.Nodes[0].KillAsync();
        await SayAndSeeAsync(js, bobLobby, m, 4, 8);
        await cluster.RestartAsync(0); // phoenix.js reconnects to the same URL on its own, and the channel rejoins
        await SayAsync(js, bobLobby, m, 9, 12);
        var rejoin = await RejoinAsync(js, annLobby);
        Assert.True(rejoin["recovered"]!.GetValue<bool>(), rejoin.ToJsonString());
        Assert.InRange(rejoin["replayed"]!.GetValue<int>(), 5, 9);
        await ChatHistory.SeenAsync(js, annLobby, $"{m}-12");
        AssertExactly(js, annLobby, m, 12);
    }

    [Fact]
    public async Task A_node_killed_while_both_nodes_publish_leaves_no_gap_in_what_any_client_sees()
    {
        await NodesUpAsync();
        var m = Marker("burst");
        await using var js = await Js.StartAsync();
        var (ann, annLobby) = await JoinAsync(js, Node1, "ann");
        var (amy, amyLobby) = await JoinAsync(js, Node1, "amy");
        var (_, bobLobby) = await JoinAsync(js, Node2, "bob");
        var (_, cidLobby) = await JoinAsync(js, Node2, "cid");
        await SayAndSeeAsync(js, bobLobby, m, 0, 0, annLobby, amyLobby, cidLobby);

        // Amy (node 1) and Bob (node 2) publish bursts at once; node 1 dies in the middle of Amy's: some of her messages
        // may have been numbered in Redis but never published, or never reached node 1 at all.
        for (var i = 1; i <= 60; i++)
        {
            await ChatHistory.SayAsync(js, amyLobby, $"{m}-a{i}");
        }

        for (var i = 1; i <= 30; i++)
        {
            await ChatHistory.SayAsync(js, bobLobby, $"{m}-b{i}");
        }

        await ChatHistory.SeenAsync(js, cidLobby, $"{m}-a10");
        await cluster.Nodes[0].KillAsync();
        await js.RetargetAsync(ann, Node2, "/socket");
        await js.RetargetAsync(amy, Node2, "/socket");
        foreach (var lobby in new[] { annLobby, amyLobby })
        {
            var rejoin = await RejoinAsync(js, lobby);
            Assert.True(rejoin["recovered"]!.GetValue<bool>(), rejoin.ToJsonString());
        }

        await ChatHistory.SayAsync(js, bobLobby, $"{m}-end");
        var lobbies = new[] { annLobby, amyLobby, bobLobby, cidLobby };
        var end = await ChatHistory.SeenAsync(js, cidLobby, $"{m}-end");
        foreach (var lobby in lobbies.Where(l => l != cidLobby))
        {
            await ChatHistory.SeenAsync(js, lobby, $"{m}-end");
        }

        // Every client saw one run of contiguous positions up to at least "end", and all agree on what each position holds.
        var byPosition = new Dictionary<string, string>();
        var endPosition = Js.Str(end, "ref")!;
        foreach (var lobby in lobbies)
        {
            var seen = Positioned(js, lobby, m);
            AssertContiguous(seen, lobby);
            Assert.Contains(seen, s => s.Position == endPosition);
            foreach (var (position, body) in seen)
            {
                Assert.Equal(body, byPosition.TryAdd(position, body) ? body : byPosition[position]);
            }
        }

        Assert.Contains($"{m}-b30", byPosition.Values); // node 2's burst went through whole
    }

    /// <summary>Restarts a node an earlier test killed (the tests share the cluster).</summary>
    private async Task NodesUpAsync()
    {
        for (var i = 0; i < cluster.Nodes.Count; i++)
        {
            if (cluster.Nodes[i].HasExited)
            {
                await cluster.RestartAsync(i);
            }
        }
    }

    private static string Marker(string test) => $"{test}{Guid.NewGuid():N}"[..14];

    private static async Task<(string Socket, string Lobby)> JoinAsync(Js js, Uri node, string user)
    {
        var socket = await js.ConnectOpenAsync(node, "/socket", new { user });
        var lobby = await ChatHistory.ChannelAsync(js, socket);
        await ChatHistory.JoinedAsync(js, lobby);
        return (socket, lobby);
    }

    private static async Task SayAsync(Js js, string lobby, string marker, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            await ChatHistory.SayAsync(js, lobby, $"{marker}-{i}");
        }
    }

    /// <summary>Says <paramref name="from"/>..<paramref name="to"/> and waits until the sender and <paramref name="others"/> saw the last one.</summary>
    private static async Task SayAndSeeAsync(Js js, string lobby, string marker, int from, int to, params string[] others)
    {
        await SayAsync(js, lobby, marker, from, to);
        foreach (var channel in others.Prepend(lobby))
        {
            await ChatHistory.SeenAsync(js, channel, $"{marker}-{to}");
        }
    }

    private static Task<JsonObject> RejoinAsync(Js js, string lobby) =>
        js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == lobby && !e["first"]!.GetValue<bool>(), $"{lobby} rejoined", TimeSpan.FromSeconds(30));

    /// <summary>The channel saw messages 1..<paramref name="count"/>, each once, in order, at contiguous positions.</summary>
    private static void AssertExactly(Js js, string lobby, string marker, int count)
    {
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"{marker}-{i}"), ChatHistory.Bodies(js, lobby, marker));
        AssertContiguous(Positioned(js, lobby, marker), lobby);
    }

    private static void AssertContiguous(List<(string Position, string Body)> seen, string lobby)
    {
        Assert.NotEmpty(seen);
        var epoch = seen[0].Position.Split(':')[0];
        var first = Offset(seen[0].Position);
        for (var i = 0; i < seen.Count; i++)
        {
            Assert.True(seen[i].Position == $"{epoch}:{first + i}", $"{lobby}: expected {epoch}:{first + i} at #{i}, saw {string.Join(", ", seen)}");
        }
    }

    private static List<(string Position, string Body)> Positioned(Js js, string lobby, string marker) =>
    [
        .. js.Events
            .Where(e => Js.Type(e) == "message" && Js.Str(e, "channel") == lobby && Js.Str(e, "event") == "new_msg")
            .Select(e => (Position: Js.Str(e, "ref") ?? "(none)", Body: e["payload"]!["body"]!.GetValue<string>()))
            .Where(s => s.Body.StartsWith(marker, StringComparison.Ordinal)),
    ];

    private static long Offset(string position) => long.Parse(position.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
}
