using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>Three Chat processes joined through RabbitMQ.</summary>
public sealed class RabbitMqClusterTests(ThreeNodeChatCluster cluster) : ClusterTests<ThreeNodeChatCluster>(cluster);

/// <summary>Three Chat processes joined through Redis: exactly the same tests.</summary>
public sealed class RedisClusterTests(RedisThreeNodeChatCluster cluster) : ClusterTests<RedisThreeNodeChatCluster>(cluster);

/// <summary>
/// Three Chat processes joined through a cluster backend, driven by the official JS client and raw long-poll requests:
/// broadcasts cross nodes, disconnects reach the node holding the socket, and long-poll needs no sticky sessions.
/// </summary>
public abstract class ClusterTests<TCluster>(TCluster cluster) : IClassFixture<TCluster>
    where TCluster : ChatCluster
{
    private const string Lobby = "rooms:lobby";

    [Fact]
    public async Task New_msg_and_shout_sent_on_one_node_reach_clients_on_the_other_nodes()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var ann = await JoinLobbyAsync(js, node: 0, "ann");
        var bob = await JoinLobbyAsync(js, node: 1, "bob");
        var cid = await JoinLobbyAsync(js, node: 2, "cid");
        await Eventually.RetryAsync(
            i => js.PushAsync(ann, "new_msg", new { body = $"warm-up {i}" }),
            async window => await Eventually.SeenAsync(js, Eventually.Message(bob, "new_msg", "warm-up"), window)
                && await Eventually.SeenAsync(js, Eventually.Message(cid, "new_msg", "warm-up"), window),
            "nodes 2 and 3 to receive node 1's broadcasts");

        await js.PushAsync(ann, "new_msg", new { body = "hello" }); // no reply: the room answers with the broadcast
        foreach (var channel in new[] { ann, bob, cid })
        {
            var message = await js.WaitForAsync(Eventually.Message(channel, "new_msg", "hello"), $"hello on {channel}");
            Assert.Equal("ann", message["payload"]!["user"]!.GetValue<string>());
        }

        await js.PushAsync(bob, "shout", new { body = "hey" }); // no reply: the room answers with the broadcast
        await js.WaitForAsync(Eventually.Message(ann, "shout", "hey"), "bob's shout on node 1");
        await js.WaitForAsync(Eventually.Message(cid, "shout", "hey"), "bob's shout on node 3");
        // An echo to bob would be queued on his socket while his shout is handled, before the reply to his next push.
        var ping = await js.PushAsync(bob, "ping", new { n = 1 });
        await js.RefuteBeforeAsync(
            Eventually.Message(bob, "shout", "hey"), "bob's own shout (broadcast_from skips the sender)",
            e => Infrastructure.JsClient.Type(e) == "reply" && Infrastructure.JsClient.Str(e, "id") == ping, "the reply to bob's next ping");
    }

    [Fact]
    public async Task A_disconnect_reaches_the_node_holding_the_socket_and_only_that_user()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var dave = await js.ConnectOpenAsync(cluster.Nodes[1].BaseUri, "/socket", new { user = "dave" });
        var erin = await js.ConnectOpenAsync(cluster.Nodes[1].BaseUri, "/socket", new { user = "erin" });

        // The probe is a fourth node: the broadcast on the socket id crosses the backend to node 2.
        await Eventually.RetryAsync(
            _ =>
            {
                cluster.Probe.Disconnect("users_socket:dave");
                return Task.CompletedTask;
            },
            window => Eventually.SeenAsync(js, e => Infrastructure.JsClient.Type(e) == "close" && Infrastructure.JsClient.Str(e, "socket") == dave, window),
            "dave's socket on node 2 to be closed");

        await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "open" && Infrastructure.JsClient.Str(e, "socket") == dave, "dave to reconnect");

        // Node 2 handled the disconnect before dave's close went out; a close of erin's socket would then come before
        // anything erin's socket answers afterwards.
        var erinLobby = await js.JoinAsync(erin, "rooms:lobby");
        await js.WaitForJoinAsync(erinLobby);
        var ping = await js.PushAsync(erinLobby, "ping", new { n = 1 });
        await js.RefuteBeforeAsync(
            e => Infrastructure.JsClient.Type(e) == "close" && Infrastructure.JsClient.Str(e, "socket") == erin, "erin to be disconnected",
            e => Infrastructure.JsClient.Type(e) == "reply" && Infrastructure.JsClient.Str(e, "id") == ping, "the reply to erin's ping");
    }

    [Fact]
    public async Task A_long_poll_client_keeps_working_while_its_requests_alternate_between_nodes()
    {
        // Lobby clients on nodes 1 and 3, and node 3's broadcasts reaching node 1, before the long-poll session opens:
        // a session nobody polls for one and a half windows (15 s) expires, so nothing slow may come between its polls.
        await using var js = await Infrastructure.JsClient.StartAsync();
        var fay = await JoinLobbyAsync(js, node: 0, "fay");
        var gus = await JoinLobbyAsync(js, node: 2, "gus");
        await Eventually.RetryAsync(
            i => js.PushAsync(gus, "new_msg", new { body = $"warm-up {i}" }),
            window => Eventually.SeenAsync(js, Eventually.Message(fay, "new_msg", "warm-up"), window),
            "node 1 to receive node 3's broadcasts");

        using var onNode1 = new LongPollTestClient(cluster.Nodes[0].BaseUri, "/socket", query: "user=lp-alt");
        using var onNode2 = new LongPollTestClient(cluster.Nodes[1].BaseUri, "/socket", query: "user=lp-alt");
        var open = await onNode1.OpenAsync();
        Assert.Equal(410, open.Status);
        onNode2.Token = onNode1.Token; // the session lives on node 1; node 2 forwards to it

        Assert.Equal(200, (await onNode2.PostAsync(Frame("1", "1", "phx_join", new JsonObject()))).Status);
        var joined = await PollUntilAsync(onNode1, m => m.Event == "phx_reply" && m.Ref == "1");
        Assert.Equal("ok", joined.Status);

        var parked = PollUntilAsync(onNode2, m => m.Event == "new_msg" && Body(m) == "posted on node 1");
        Assert.Equal(200, (await onNode1.PostAsync(Frame("1", "2", "new_msg", new JsonObject { ["body"] = "posted on node 1" }))).Status);
        Assert.Equal("lp-alt", (await parked).Payload!["user"]!.GetValue<string>());

        Assert.Equal(200, (await onNode2.PostAsync(Frame("1", "3", "new_msg", new JsonObject { ["body"] = "posted on node 2" }))).Status);
        await PollUntilAsync(onNode2, m => m.Event == "new_msg" && Body(m) == "posted on node 2");

        // A broadcast from a third node reaches the session, read through node 2.
        await js.PushAsync(gus, "new_msg", new { body = "from node 3" });
        var relayed = await PollUntilAsync(onNode2, m => m.Event == "new_msg" && Body(m) == "from node 3");
        Assert.Equal("gus", relayed.Payload!["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_forwarded_post_that_cannot_be_decoded_is_refused_like_a_local_one()
    {
        using var onNode1 = new LongPollTestClient(cluster.Nodes[0].BaseUri, "/socket", query: "user=lp-bad");
        using var onNode2 = new LongPollTestClient(cluster.Nodes[1].BaseUri, "/socket", query: "user=lp-bad");
        await onNode1.OpenAsync();
        onNode2.Token = onNode1.Token;

        var refused = await onNode2.PostAsync("not a frame, not base64!");

        Assert.Equal((400, 400), (refused.HttpStatus, refused.Status));
        Assert.Contains("Base64", refused.Body!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(200, (await onNode2.PostAsync(Frame("1", "1", "phx_join", new JsonObject()))).Status); // the session is intact
    }

    private async Task<string> JoinLobbyAsync(Infrastructure.JsClient js, int node, string user)
    {
        var socket = await js.ConnectOpenAsync(cluster.Nodes[node].BaseUri, "/socket", new { user });
        var channel = await js.JoinAsync(socket, Lobby);
        await js.WaitForJoinAsync(channel);
        return channel;
    }

    private static string Frame(string joinRef, string @ref, string @event, JsonObject payload) =>
        new JsonArray(joinRef, @ref, Lobby, @event, payload).ToJsonString();

    private static string? Body(ClientMessage message) => message.Payload?["body"]?.GetValue<string>();

    /// <summary>Polls (skipping 204s) until a message matches; the token never changes on the way.</summary>
    private static async Task<ClientMessage> PollUntilAsync(LongPollTestClient client, Func<ClientMessage, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var seen = new List<ClientMessage>();
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync();
            Assert.True(response.Status is 200 or 204, $"poll answered {response.Status}");
            Assert.Equal(client.Token, response.Token);
            seen.AddRange(response.Messages);
            if (seen.FirstOrDefault(match) is { } found)
            {
                return found;
            }
        }

        throw new Xunit.Sdk.XunitException($"No matching message; received: {string.Join(", ", seen)}");
    }
}
