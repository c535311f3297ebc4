using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.JsClient;

/// <summary>The official JS client's recovery paths against the fixture server: rejoin after a crash, reconnect after a disconnect.</summary>
public sealed class JsClientBehaviourTests(FixtureServer server) : JsClientBehaviourTestsBase(server), IClassFixture<FixtureServer>;

/// <summary>The official JS client against WebSockets on the direct listener (<c>UseFenixWebSockets</c>).</summary>
public sealed class DirectJsClientBehaviourTests(DirectFixtureServer server) : JsClientBehaviourTestsBase(server), IClassFixture<DirectFixtureServer>;

/// <summary>The official JS client's recovery paths, against whichever server variant the subclass gives.</summary>
public abstract class JsClientBehaviourTestsBase(FixtureServer server)
{
    [Fact]
    public async Task Join_push_reply_and_broadcast()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var room = await js.JoinAsync(socket, "room:js-basic", new { user = "ann" });
        await js.WaitForJoinAsync(room);
        var entered = await js.WaitForMessageAsync(room, "user_entered");
        Assert.Equal("ann", entered["payload"]!["user"]!.GetValue<string>());
        await js.WaitForMessageAsync(room, "joined");

        var reply = await js.WaitForReplyAsync(await js.PushAsync(room, "new_msg", new { body = "hi" }));
        Assert.Equal("{}", reply["response"]!.ToJsonString());
        var message = await js.WaitForMessageAsync(room, "new_msg");
        Assert.Equal("websocket", message["payload"]!["transport"]!.GetValue<string>());

        server.Broadcaster.Broadcast("room:js-basic", "announcement", new { text = "from a controller" });
        var announcement = await js.WaitForMessageAsync(room, "announcement");
        Assert.Equal("from a controller", announcement["payload"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_client_rejoins_after_a_channel_crash()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var room = await js.JoinAsync(socket, "room:js-crash");
        await js.WaitForJoinAsync(room);

        await js.PushAsync(room, "boom");
        await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "channel_error" && Infrastructure.JsClient.Str(e, "channel") == room, "phx_error on the channel");
        await js.WaitForJoinAsync(room); // rejoined by the client's own backoff
        var pong = await js.WaitForReplyAsync(await js.PushAsync(room, "ping", new { alive = true }));
        Assert.True(pong["response"]!["alive"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_client_reconnects_and_rejoins_after_a_disconnect_broadcast()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws", new { user_id = "js-77" });
        var room = await js.JoinAsync(socket, "room:js-disconnect");
        await js.WaitForJoinAsync(room);

        server.Broadcaster.Disconnect("user_sockets:js-77");
        var close = await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "close" && Infrastructure.JsClient.Str(e, "socket") == socket, "socket close");
        Assert.Equal(1001, close["code"]!.GetValue<int>());
        await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "open" && Infrastructure.JsClient.Str(e, "socket") == socket, "reopen");
        await js.WaitForJoinAsync(room);
    }

    [Fact]
    public async Task Binary_pushes_and_replies_are_byte_exact()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var room = await js.JoinAsync(socket, "room:js-binary");
        await js.WaitForJoinAsync(room);
        var reply = await js.WaitForReplyAsync(await js.PushAsync(room, "binary_event", binary: [1, 2, 255]));
        Assert.Equal("[1,2,255,3,4]", reply["response"]!["binary"]!.ToJsonString());
        var push = await js.WaitForMessageAsync(room, "binary_event");
        Assert.Equal("[0,1]", push["payload"]!["binary"]!.ToJsonString());
    }

    [Fact]
    public async Task Heartbeats_keep_the_connection_healthy()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        // phoenix.js closes when a heartbeat is unanswered at the next one, and the server when it heard nothing for an
        // idle timeout: a heartbeat every 2 s against 4 s leaves a loaded machine (a server or client stalled for a second)
        // 2 s of room on either side, and is still twice per idle timeout.
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws/idle-4s", options: new { heartbeatIntervalMs = 2000 });
        var room = await js.JoinAsync(socket, "room:js-heartbeat");
        await js.WaitForJoinAsync(room);
        await Task.Delay(10_000); // the scenario itself: two and a half idle timeouts of /ws/idle-4s pass; only heartbeats keep the socket
        var ping = await js.PushAsync(room, "ping");
        await js.RefuteBeforeAsync(
            e => Infrastructure.JsClient.Type(e) == "close", "a close",
            e => Infrastructure.JsClient.Type(e) == "reply" && Infrastructure.JsClient.Str(e, "id") == ping, "the reply to a ping sent afterwards");
    }

    [Fact]
    public async Task A_push_without_reply_times_out_on_the_client()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var room = await js.JoinAsync(socket, "room:js-timeout");
        await js.WaitForJoinAsync(room);
        await js.WaitForReplyAsync(await js.PushAsync(room, "no_such_event", timeoutMs: 300), "timeout");
    }
}
