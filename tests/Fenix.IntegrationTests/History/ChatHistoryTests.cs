using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Cluster;
using Fenix.IntegrationTests.Cluster.Backends;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;
using Js = Fenix.IntegrationTests.Infrastructure.JsClient;

namespace Fenix.IntegrationTests.History;

/// <summary>samples/Chat started with <c>--Chat:History true</c> on one node: its lobby keeps history in memory.</summary>
public sealed class HistoryChatServer : IAsyncLifetime
{
    public ServerProcess Process { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Process = await ServerProcess.StartAsync("Chat", null, "--Chat:History", "true");

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}

/// <summary>Two Chat nodes with <c>--Chat:History true</c> over a Redis of their own (which the tests may stop): history in Redis.</summary>
public sealed class RedisHistoryChatCluster() : ChatCluster(new RedisBackend(), 2, forOutages: true, "--Chat:History", "true");

/// <summary>The Chat sample's opt-in history, driven by phoenix.js with fenix-history.mjs, as its page does.</summary>
public sealed class ChatHistoryTests(HistoryChatServer chat) : IClassFixture<HistoryChatServer>
{
    [Fact]
    public async Task A_chat_client_that_drops_gets_the_messages_sent_meanwhile_once_in_order()
    {
        await using var js = await Js.StartAsync();
        var ann = await js.ConnectOpenAsync(chat.Process.BaseUri, "/socket", new { user = "ann" });
        var bob = await js.ConnectOpenAsync(chat.Process.BaseUri, "/socket", new { user = "bob" });
        var annLobby = await ChatHistory.ChannelAsync(js, ann);
        var bobLobby = await ChatHistory.ChannelAsync(js, bob);
        await ChatHistory.JoinedAsync(js, annLobby);
        await ChatHistory.JoinedAsync(js, bobLobby);
        var marker = Guid.NewGuid().ToString("N")[..6];
        await ChatHistory.SayAsync(js, bobLobby, $"{marker}-1");
        await ChatHistory.SeenAsync(js, annLobby, $"{marker}-1");

        await js.SendAsync(new { cmd = "disconnect", socket = ann });
        await js.WaitForAsync(e => Js.Type(e) == "disconnected" && Js.Str(e, "socket") == ann, "ann away");
        for (var i = 2; i <= 4; i++)
        {
            await ChatHistory.SayAsync(js, bobLobby, $"{marker}-{i}");
        }

        await ChatHistory.SeenAsync(js, bobLobby, $"{marker}-4"); // all three are in the history
        await js.SendAsync(new { cmd = "reconnect", socket = ann });
        var rejoin = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == annLobby && !e["first"]!.GetValue<bool>(), "ann's rejoin");
        Assert.True(rejoin["recovered"]!.GetValue<bool>(), rejoin.ToJsonString());
        await ChatHistory.SayAsync(js, bobLobby, $"{marker}-5");
        await ChatHistory.SeenAsync(js, annLobby, $"{marker}-5");
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{marker}-{i}"), ChatHistory.Bodies(js, annLobby, marker));
    }
}

/// <summary>
/// Two Chat nodes over Redis: positions are the cluster's, so a client recovers on another node; Redis down: live goes on;
/// Redis back empty: a new epoch, and clients holding old positions are told.
/// </summary>
public sealed class ChatClusterHistoryTests(RedisHistoryChatCluster cluster) : IClassFixture<RedisHistoryChatCluster>
{
    [Fact]
    public async Task A_client_that_left_node_1_recovers_the_missed_messages_on_node_2_and_an_outage_of_Redis_is_said_not_hidden()
    {
        var node1 = cluster.Nodes[0].BaseUri;
        var node2 = cluster.Nodes[1].BaseUri;
        await using var js = await Js.StartAsync();
        var (ann, annLobby) = await ChatHistory.JoinLobbyAsync(js, node1, "ann");
        var (_, bobLobby) = await ChatHistory.JoinLobbyAsync(js, node2, "bob");
        const string m = "cluster";
        await ChatHistory.SayAsync(js, bobLobby, $"{m}-1");
        var seen = await ChatHistory.SeenAsync(js, annLobby, $"{m}-1"); // crossed from node 2 to node 1
        var position = Js.Str(seen, "position")!;

        // Ann's connection to node 1 ends; Bob (node 2) says three things; Ann comes back to node 2 with her position.
        await js.SendAsync(new { cmd = "disconnect", socket = ann });
        await js.WaitForAsync(e => Js.Type(e) == "disconnected" && Js.Str(e, "socket") == ann, "ann away");
        for (var i = 2; i <= 4; i++)
        {
            await ChatHistory.SayAsync(js, bobLobby, $"{m}-{i}");
        }

        await ChatHistory.SeenAsync(js, bobLobby, $"{m}-4");
        var annAgain = await js.ConnectOpenAsync(node2, "/socket", new { user = "ann" });
        var annLobby2 = await ChatHistory.ChannelAsync(js, annAgain, new { since = position });
        var recovered = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == annLobby2, "ann on node 2");
        Assert.True(recovered["recovered"]!.GetValue<bool>(), recovered.ToJsonString());
        Assert.Equal(3, recovered["replayed"]!.GetValue<int>());
        await ChatHistory.SayAsync(js, bobLobby, $"{m}-5");
        await ChatHistory.SeenAsync(js, annLobby2, $"{m}-5");
        Assert.Equal(Enumerable.Range(2, 4).Select(i => $"{m}-{i}"), ChatHistory.Bodies(js, annLobby2, m));
        var epoch = position.Split(':')[0];

        // Redis stops: live delivery goes on (both are on node 2 now) without positions, and a recovery says "not recovered".
        await cluster.Backend.StopAsync();
        await ChatHistory.SayAsync(js, bobLobby, $"{m}-6");
        var live = await ChatHistory.SeenAsync(js, annLobby2, $"{m}-6");
        Assert.Null(Js.Str(live, "ref")); // no position: the store could not give one
        var cat = await js.ConnectOpenAsync(node2, "/socket", new { user = "cat" });
        var late = await ChatHistory.ChannelAsync(js, cat, new { since = $"{epoch}:1" });
        var unavailable = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == late, "a recovery while Redis is down");
        Assert.False(unavailable["recovered"]!.GetValue<bool>());
        Assert.Equal("unavailable", Js.Str(unavailable, "reason"));

        // Redis is back (empty) and the lobby starts a new epoch: the channels that followed the old one are told (a
        // phx_error: nothing of the new epoch reaches them first), and their rejoins say "not recovered".
        await cluster.Backend.StartAsync();
        static bool Told(JsonObject e, string channel) => Js.Type(e) == "history_join" && Js.Str(e, "channel") == channel && !e["first"]!.GetValue<bool>();
        await Eventually.RetryAsync(
            i => ChatHistory.SayAsync(js, bobLobby, $"{m}-{i + 7}"), // the nodes reconnect to Redis on their own schedule
            window => Eventually.SeenAsync(js, e => Told(e, annLobby2), window),
            "ann's channel told of the new epoch",
            TimeSpan.FromSeconds(30));
        var told = js.Events.Last(e => Told(e, annLobby2));
        Assert.False(told["recovered"]!.GetValue<bool>(), told.ToJsonString());
        Assert.Equal("epoch", Js.Str(told, "reason"));
        var newEpoch = Js.Str(told, "position")!.Split(':')[0];
        Assert.NotEqual(epoch, newEpoch);
        await ChatHistory.SayAsync(js, bobLobby, $"{m}-after");
        var positioned = await ChatHistory.SeenAsync(js, annLobby2, $"{m}-after");
        Assert.Equal(newEpoch, Js.Str(positioned, "ref")!.Split(':')[0]);
    }

    [Fact]
    public async Task After_Redis_restarts_empty_connected_and_returning_clients_are_told_not_recovered_and_nothing_is_replayed()
    {
        var node1 = cluster.Nodes[0].BaseUri;
        var node2 = cluster.Nodes[1].BaseUri;
        var m = $"restart{Guid.NewGuid():N}"[..14];
        await using var js = await Js.StartAsync();
        var (_, cidLobby) = await ChatHistory.JoinLobbyAsync(js, node1, "cid");
        var (dan, danLobby) = await ChatHistory.JoinLobbyAsync(js, node1, "dan");
        var (_, bobLobby) = await ChatHistory.JoinLobbyAsync(js, node2, "bob");

        await ChatHistory.SayAsync(js, bobLobby, $"{m}-1");
        await ChatHistory.SeenAsync(js, cidLobby, $"{m}-1");
        var position = Js.Str(await ChatHistory.SeenAsync(js, danLobby, $"{m}-1"), "ref")!;
        var epoch = position.Split(':')[0];
        await js.SendAsync(new { cmd = "disconnect", socket = dan });
        await js.WaitForAsync(e => Js.Type(e) == "disconnected" && Js.Str(e, "socket") == dan, "dan away");

        // Redis dies (SIGKILL, no persistence) and comes back empty; the nodes reconnect on their own schedule, so Bob
        // speaks until a message is numbered again.
        await cluster.Backend.StopAsync();
        await cluster.Backend.StartAsync();
        await Eventually.RetryAsync(
            i => ChatHistory.SayAsync(js, bobLobby, $"{m}-r{i}"),
            window => Eventually.SeenAsync(js, e => Eventually.Message(bobLobby, "new_msg", $"{m}-r")(e) && Js.Str(e, "ref") is not null, window),
            "a message numbered by the restarted Redis",
            TimeSpan.FromSeconds(30));
        var numbered = ChatHistory.Refs(js, bobLobby, $"{m}-r").OfType<string>().First();
        var newEpoch = numbered.Split(':')[0];
        Assert.NotEqual(epoch, newEpoch);

        // Cid, connected to node 1 all along, is told: its channel stops (history_gap), rejoins from its old position,
        // and hears "not recovered" (its app reloads).
        var told = await js.WaitForAsync(
            e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == cidLobby && !e["first"]!.GetValue<bool>(), "cid told", TimeSpan.FromSeconds(30));
        Assert.False(told["recovered"]!.GetValue<bool>(), told.ToJsonString());
        Assert.Equal("epoch", Js.Str(told, "reason"));
        Assert.Equal(newEpoch, Js.Str(told, "position")!.Split(':')[0]);

        // Dan comes back (to node 2) with his old position: not recovered, and nothing of the new epoch is replayed.
        var danAgain = await js.ConnectOpenAsync(node2, "/socket", new { user = "dan" });
        var danLobby2 = await ChatHistory.ChannelAsync(js, danAgain, new { since = position });
        var back = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == danLobby2, "dan back");
        Assert.False(back["recovered"]!.GetValue<bool>(), back.ToJsonString());
        Assert.Equal("epoch", Js.Str(back, "reason"));
        Assert.Equal(0, back["replayed"]!.GetValue<int>());
        await ChatHistory.SayAsync(js, bobLobby, $"{m}-live");
        await ChatHistory.SeenAsync(js, danLobby2, $"{m}-live");
        Assert.Equal([$"{m}-live"], ChatHistory.Bodies(js, danLobby2, m)); // the barrier: nothing came before the live message
        await ChatHistory.SeenAsync(js, cidLobby, $"{m}-live");
    }
}

internal static class ChatHistory
{
    /// <summary>Connects <paramref name="user"/> to <paramref name="node"/> and joins the lobby with history: (socket, channel).</summary>
    public static async Task<(string Socket, string Lobby)> JoinLobbyAsync(Js js, Uri node, string user)
    {
        var socket = await js.ConnectOpenAsync(node, "/socket", new { user });
        var lobby = await ChannelAsync(js, socket);
        await JoinedAsync(js, lobby);
        return (socket, lobby);
    }

    public static async Task<string> ChannelAsync(Js js, string socket, object? opts = null)
    {
        var id = $"h{Guid.NewGuid():N}"[..10];
        await js.SendAsync(new { cmd = "history", id, socket, topic = "rooms:lobby", @params = new { }, opts = opts ?? new { } });
        await js.SendAsync(new { cmd = "join", channel = id });
        return id;
    }

    public static async Task JoinedAsync(Js js, string channel)
    {
        var join = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == channel, $"{channel} joined");
        Assert.True(join["enabled"]!.GetValue<bool>(), "the lobby keeps history");
    }

    public static Task SayAsync(Js js, string channel, string body) => js.PushAsync(channel, "new_msg", new { body });

    public static Task<JsonObject> SeenAsync(Js js, string channel, string body) =>
        js.WaitForMessageAsync(channel, "new_msg", e => e["payload"]!["body"]!.GetValue<string>() == body);

    public static List<string> Bodies(Js js, string channel, string marker) => [.. Messages(js, channel, marker).Select(e => e["payload"]!["body"]!.GetValue<string>())];

    /// <summary>The positions (ref slots) of the channel's messages, in the order received.</summary>
    public static List<string?> Refs(Js js, string channel, string marker) => [.. Messages(js, channel, marker).Select(e => Js.Str(e, "ref"))];

    /// <summary>The channel's <c>new_msg</c> messages whose body starts with <paramref name="marker"/>, in the order received.</summary>
    public static IEnumerable<JsonObject> Messages(Js js, string channel, string marker, string @event = "new_msg") =>
        js.Events.Where(e => Js.Type(e) == "message" && Js.Str(e, "channel") == channel && Js.Str(e, "event") == @event
            && e["payload"]!["body"]!.GetValue<string>().StartsWith(marker, StringComparison.Ordinal));
}
