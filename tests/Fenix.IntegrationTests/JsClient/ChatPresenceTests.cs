using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.JsClient;

/// <summary>The Chat sample's presence, seen through the official JS <c>Presence</c> class (§7.4–7.5).</summary>
public sealed class ChatPresenceTests(ChatServer chat) : IClassFixture<ChatServer>
{
    [Fact]
    public async Task A_member_is_listed_with_online_at_and_phx_ref_after_joining()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var socket = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "pia" });
        var lobby = await js.JoinAsync(socket, "rooms:lobby", withPresence: true);
        await js.WaitForJoinAsync(lobby);

        var sync = await WaitForSyncAsync(js, lobby, list => Find(list, "pia") is not null);

        var meta = Assert.Single(Find(sync, "pia")!["metas"]!.AsArray())!;
        Assert.Matches("^[0-9]{10}$", meta["online_at"]!.GetValue<string>());
        Assert.Equal(16, meta["phx_ref"]!.GetValue<string>().Length);
    }

    [Fact]
    public async Task Members_see_each_other_join_and_leave()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var quin = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "quin" });
        var quinLobby = await js.JoinAsync(quin, "rooms:lobby", withPresence: true);
        await WaitForSyncAsync(js, quinLobby, list => Find(list, "quin") is not null);

        var rae = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "rae" });
        var raeLobby = await js.JoinAsync(rae, "rooms:lobby", withPresence: true);

        await js.WaitForAsync(e => Is(e, "presence_join", quinLobby, "rae") && e["new"]!.GetValue<bool>(), "rae joining, seen by quin");
        await WaitForSyncAsync(js, raeLobby, list => Find(list, "quin") is not null && Find(list, "rae") is not null);

        await js.SendAsync(new { cmd = "disconnect", socket = rae });
        var left = await js.WaitForAsync(e => Is(e, "presence_leave", quinLobby, "rae"), "rae leaving, seen by quin");
        Assert.Equal(0, left["remaining"]!.GetValue<int>());
        await WaitForSyncAsync(js, quinLobby, list => Find(list, "rae") is null);
    }

    [Fact]
    public async Task Two_tabs_of_one_user_are_one_key_with_two_metas()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var tab1 = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "sam" });
        var tab2 = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = "sam" });
        var lobby1 = await js.JoinAsync(tab1, "rooms:lobby", withPresence: true);
        await WaitForSyncAsync(js, lobby1, list => Find(list, "sam") is not null);
        await js.JoinAsync(tab2, "rooms:lobby", withPresence: true);

        await WaitForSyncAsync(js, lobby1, list => Find(list, "sam")?["metas"]!.AsArray().Count == 2);

        await js.SendAsync(new { cmd = "disconnect", socket = tab2 });
        var left = await js.WaitForAsync(e => Is(e, "presence_leave", lobby1, "sam"), "one tab of sam leaving");
        Assert.Equal(1, left["remaining"]!.GetValue<int>());
    }

    private static async Task<JsonArray> WaitForSyncAsync(Infrastructure.JsClient js, string channel, Func<JsonArray, bool> match)
    {
        var sync = await js.WaitForAsync(
            e => Infrastructure.JsClient.Type(e) == "presence_sync" && Infrastructure.JsClient.Str(e, "channel") == channel && match(e["list"]!.AsArray()),
            $"a presence sync on {channel}");
        return sync["list"]!.AsArray();
    }

    private static JsonNode? Find(JsonArray list, string key) =>
        list.FirstOrDefault(p => p!["key"]!.GetValue<string>() == key);

    private static bool Is(JsonObject e, string type, string channel, string key) =>
        Infrastructure.JsClient.Type(e) == type && Infrastructure.JsClient.Str(e, "channel") == channel && Infrastructure.JsClient.Str(e, "key") == key;
}
