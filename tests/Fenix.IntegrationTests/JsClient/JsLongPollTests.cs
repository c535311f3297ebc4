using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.JsClient;

/// <summary>The official JS client over long poll, and falling back to it when WebSockets are blocked.</summary>
public sealed class JsLongPollTests(FixtureServer server) : IClassFixture<FixtureServer>
{
    [Fact]
    public async Task Channels_replies_and_broadcasts_work_over_long_poll()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectAsync(server.BaseUri, "/ws", options: new { transport = "longpoll" });
        var open = await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "open", "open");
        Assert.Equal("longpoll", Infrastructure.JsClient.Str(open, "transport"));
        var room = await js.JoinAsync(socket, "room:js-lp", new { user = "lp" });
        await js.WaitForJoinAsync(room);
        Assert.Equal("lp", (await js.WaitForMessageAsync(room, "user_entered"))["payload"]!["user"]!.GetValue<string>());
        await js.WaitForMessageAsync(room, "joined");

        var pong = await js.WaitForReplyAsync(await js.PushAsync(room, "ping", new { over = "longpoll" }));
        Assert.Equal("longpoll", pong["response"]!["over"]!.GetValue<string>());
        await js.WaitForReplyAsync(await js.PushAsync(room, "new_msg", new { body = "hi" }));
        Assert.Equal("longpoll", (await js.WaitForMessageAsync(room, "new_msg"))["payload"]!["transport"]!.GetValue<string>());

        server.Broadcaster.Broadcast("room:js-lp", "announcement", new { text = "to pollers too" });
        await js.WaitForMessageAsync(room, "announcement");

        await js.PushAsync(room, "boom");
        await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "channel_error", "phx_error over long poll");
        await js.WaitForJoinAsync(room);
    }

    [Fact]
    public async Task A_blocked_websocket_falls_back_to_long_poll()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectAsync(server.BaseUri, "/ws", options: new { transport = "blocked", longPollFallbackMs = 300 });
        var open = await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "open", "open after fallback");
        Assert.Equal("longpoll", Infrastructure.JsClient.Str(open, "transport"));
        var room = await js.JoinAsync(socket, "room:js-fallback");
        await js.WaitForJoinAsync(room);
        await js.WaitForReplyAsync(await js.PushAsync(room, "ping"));
    }

    [Fact]
    public async Task The_client_reopens_a_session_after_the_server_ends_it()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectAsync(server.BaseUri, "/ws", new { user_id = "lp-gone" }, new { transport = "longpoll" });
        var room = await js.JoinAsync(socket, "room:js-lp-gone");
        await js.WaitForJoinAsync(room);
        server.Broadcaster.Disconnect("user_sockets:lp-gone");
        await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "close" || Infrastructure.JsClient.Type(e) == "error", "the session is gone");
        await js.WaitForJoinAsync(room); // the socket reconnected and the channel rejoined
        await js.WaitForReplyAsync(await js.PushAsync(room, "ping"));
    }
}
