using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.JsClient;

/// <summary>The Chat sample's contract (README / issue), driven by the official JS client against the sample's own process as shipped.</summary>
public sealed class ChatContractTests(ChatServer chat) : ChatContractTestsBase(chat), IClassFixture<ChatServer>;

/// <summary>The same contract with <c>--Chat:DirectWebSockets false</c> (WebSockets on the HTTP stack): nothing changes on the wire.</summary>
public sealed class HttpStackChatContractTests(HttpStackChatServer chat) : ChatContractTestsBase(chat), IClassFixture<HttpStackChatServer>;

/// <summary>The Chat sample's contract, against whichever Chat process the subclass gives.</summary>
public abstract class ChatContractTestsBase(ChatServer chat)
{
    [Fact]
    public async Task Lobby_join_and_new_msg_broadcast_reach_everyone_including_the_sender()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var ann = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "ann" });
        var bob = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "bob" });
        var annLobby = await js.JoinAsync(ann, "rooms:lobby");
        var bobLobby = await js.JoinAsync(bob, "rooms:lobby");
        var joined = await js.WaitForJoinAsync(annLobby);
        Assert.Equal("{}", joined["response"]!.ToJsonString());
        await js.WaitForJoinAsync(bobLobby);

        var push = await js.PushAsync(annLobby, "new_msg", new { body = "hello" });
        foreach (var channel in new[] { annLobby, bobLobby })
        {
            var message = await js.WaitForMessageAsync(channel, "new_msg");
            Assert.Equal("hello", message["payload"]!["body"]!.GetValue<string>());
            Assert.Equal("ann", message["payload"]!["user"]!.GetValue<string>());
        }

        // The same channel answers in order: a reply to new_msg would come before the reply to this ping.
        var ping = await js.PushAsync(annLobby, "ping", new { n = 1 });
        await js.RefuteBeforeAsync(
            e => Infrastructure.JsClient.Type(e) == "reply" && Infrastructure.JsClient.Str(e, "id") == push, "a reply to new_msg",
            e => Infrastructure.JsClient.Type(e) == "reply" && Infrastructure.JsClient.Str(e, "id") == ping, "the reply to a later ping");
    }

    [Fact]
    public async Task Shout_reaches_everyone_but_the_sender()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var ann = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "ann2" });
        var bob = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "bob2" });
        var annLobby = await js.JoinAsync(ann, "rooms:lobby");
        var bobLobby = await js.JoinAsync(bob, "rooms:lobby");
        await js.WaitForJoinAsync(annLobby);
        await js.WaitForJoinAsync(bobLobby);

        await js.PushAsync(annLobby, "shout", new { body = "hey all" });
        var shout = await js.WaitForMessageAsync(bobLobby, "shout");
        Assert.Equal("hey all", shout["payload"]!["body"]!.GetValue<string>());
        Assert.Equal("ann2", shout["payload"]!["user"]!.GetValue<string>());
        // An echo to ann would be queued on her socket while the shout is handled, before the reply to her next push.
        var ping = await js.PushAsync(annLobby, "ping", new { n = 1 });
        await js.RefuteBeforeAsync(
            e => Infrastructure.JsClient.Type(e) == "message" && Infrastructure.JsClient.Str(e, "channel") == annLobby && Infrastructure.JsClient.Str(e, "event") == "shout", "shout echoed to its sender",
            e => Infrastructure.JsClient.Type(e) == "reply" && Infrastructure.JsClient.Str(e, "id") == ping, "the reply to ann's next ping");
    }

    [Fact]
    public async Task Ping_echoes_and_invalid_bodies_are_refused()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "carol" });
        var lobby = await js.JoinAsync(socket, "rooms:lobby");
        await js.WaitForJoinAsync(lobby);

        var ping = await js.WaitForReplyAsync(await js.PushAsync(lobby, "ping", new { n = 1, nested = new { ok = true } }));
        Assert.Equal("{\"n\":1,\"nested\":{\"ok\":true}}", ping["response"]!.ToJsonString());

        var missing = await js.WaitForReplyAsync(await js.PushAsync(lobby, "new_msg", new { text = "no body" }), "error");
        Assert.Equal("invalid body", missing["response"]!["reason"]!.GetValue<string>());
        var notString = await js.WaitForReplyAsync(await js.PushAsync(lobby, "new_msg", new { body = 42 }), "error");
        Assert.Equal("invalid body", notString["response"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Other_rooms_are_unauthorized_and_unrouted_topics_unmatched()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "dave" });
        var secret = await js.JoinAsync(socket, "rooms:secret");
        var refused = await js.WaitForJoinAsync(secret, "error");
        Assert.Equal("unauthorized", refused["response"]!["reason"]!.GetValue<string>());
        var nowhere = await js.JoinAsync(socket, "lobby:nowhere");
        var unmatched = await js.WaitForJoinAsync(nowhere, "error");
        Assert.Equal("unmatched topic", unmatched["response"]!["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("65")]
    public async Task Connections_without_a_valid_user_are_refused_with_403(string? user)
    {
        var name = user == "65" ? new string('u', 65) : user;
        var query = name is null ? "vsn=2.0.0" : $"user={name}&vsn=2.0.0";
        await using var socket = await RawWebSocket.ConnectAsync(chat.BaseUri, $"/socket/websocket?{query}");
        Assert.Equal(403, socket.Handshake.Status);

        await using var js = await Infrastructure.JsClient.StartAsync();
        var id = await js.ConnectAsync(chat.BaseUri, "/socket", name is null ? new { } : new { user = name });
        await js.WaitForAsync(e => Infrastructure.JsClient.Type(e) == "error" && Infrastructure.JsClient.Str(e, "socket") == id, "a refused connection");

        // The client retries on its own; its next attempt failing too proves no attempt in between opened the socket.
        await js.RefuteBeforeAsync(
            e => Infrastructure.JsClient.Type(e) == "open" && Infrastructure.JsClient.Str(e, "socket") == id, "an open socket",
            e => Infrastructure.JsClient.Type(e) == "error" && Infrastructure.JsClient.Str(e, "socket") == id, "the retry refused as well");
    }

    [Fact]
    public async Task A_64_character_user_is_accepted()
    {
        await using var socket = await RawWebSocket.ConnectAsync(chat.BaseUri, $"/socket/websocket?user={new string('u', 64)}&vsn=2.0.0");
        Assert.Equal(101, socket.Handshake.Status);
    }

    [Fact]
    public async Task The_page_and_the_official_client_bundle_are_served()
    {
        using var http = new HttpClient { BaseAddress = chat.BaseUri };
        var page = await http.GetStringAsync("/");
        Assert.Contains("chat.js", page, StringComparison.Ordinal);
        var client = await http.GetStringAsync("/vendor/phoenix.mjs");
        Assert.Contains("var Socket = class", client, StringComparison.Ordinal);
    }
}
