using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.JsClient;

/// <summary>The 1.7 series of the official client (npm phoenix@1.7.23) against the Chat sample and the fixture.</summary>
public sealed class Phoenix17ClientTests(ChatServer chat, FixtureServer server) : IClassFixture<ChatServer>, IClassFixture<FixtureServer>
{
    [Fact]
    public async Task Chat_lobby_messages_and_presence_work_with_the_1_7_client()
    {
        await using var js = await Infrastructure.JsClient.StartAsync("phoenix17");
        var ann = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "ann17" });
        var bob = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "bob17" });
        var annLobby = await js.JoinAsync(ann, "rooms:lobby", withPresence: true);
        await js.WaitForJoinAsync(annLobby);
        var bobLobby = await js.JoinAsync(bob, "rooms:lobby");
        await js.WaitForJoinAsync(bobLobby);

        await js.WaitForAsync(
            e => Infrastructure.JsClient.Type(e) == "presence_sync" && Infrastructure.JsClient.Str(e, "channel") == annLobby
                && e["list"]!.AsArray().Any(p => p!["key"]!.GetValue<string>() == "bob17"),
            "ann's presence list to show bob");

        await js.PushAsync(bobLobby, "new_msg", new { body = "from 1.7" });
        var message = await js.WaitForMessageAsync(annLobby, "new_msg");
        Assert.Equal("bob17", message["payload"]!["user"]!.GetValue<string>());
        var pong = await js.WaitForReplyAsync(await js.PushAsync(annLobby, "ping", new { v = 17 }));
        Assert.Equal(17, pong["response"]!["v"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_1_7_client_rejoins_after_a_crash_and_reconnects_after_a_disconnect()
    {
        await using var js = await Infrastructure.JsClient.StartAsync("phoenix17");
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws", new { user_id = "js17" });
        var room = await js.JoinAsync(socket, "room:js17");
        await js.WaitForJoinAsync(room);

        await js.PushAsync(room, "boom");
        await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "channel_error", "phx_error");
        await js.WaitForJoinAsync(room);

        server.Broadcaster.Disconnect("user_sockets:js17");
        await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "close", "close");
        await js.WaitForJoinAsync(room);
        await js.WaitForReplyAsync(await js.PushAsync(room, "ping"));
    }
}
