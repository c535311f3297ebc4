using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.JsClient;

/// <summary>The official JS <c>Presence</c> class across an update, a channel crash and a closed socket (protocol.md §7).</summary>
public sealed class JsPresenceTests(FixtureServer server) : IClassFixture<FixtureServer>
{
    [Fact]
    public async Task Updates_crashes_and_closed_sockets_reach_the_js_presence_class()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var watcherSocket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var watcher = await js.JoinAsync(watcherSocket, "presence:js", new { name = "watcher" }, withPresence: true);
        await js.WaitForJoinAsync(watcher);
        var kimSocket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var kim = await js.JoinAsync(kimSocket, "presence:js", new { name = "kim" });
        await js.WaitForJoinAsync(kim);

        var joined = await PresenceEvent(js, watcher, "presence_join", "kim");
        Assert.True(joined["new"]!.GetValue<bool>());
        var firstRef = joined["metas"]![0]!["phx_ref"]!.GetValue<string>();
        await SyncedWith(js, watcher, ("kim", "online"), ("watcher", "online"));

        // Update: one diff, the new meta joins (carrying phx_ref_prev) and the old one leaves.
        await js.WaitForReplyAsync(await js.PushAsync(kim, "status", new { status = "away" }));
        var updated = await PresenceEvent(js, watcher, "presence_join", "kim", e => e["metas"]![0]!["status"]!.GetValue<string>() == "away");
        Assert.False(updated["new"]!.GetValue<bool>());
        Assert.Equal("away", updated["metas"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(firstRef, updated["metas"]![0]!["phx_ref_prev"]!.GetValue<string>());
        var oldLeft = await PresenceEvent(js, watcher, "presence_leave", "kim", e => e["metas"]![0]!["status"]!.GetValue<string>() == "online");
        Assert.Equal(firstRef, oldLeft["metas"]![0]!["phx_ref"]!.GetValue<string>());
        Assert.Equal(1, oldLeft["remaining"]!.GetValue<int>());
        await SyncedWith(js, watcher, ("kim", "away"), ("watcher", "online"));

        // A crash: the presence leaves with the channel; the client rejoins and kim is back.
        await js.PushAsync(kim, "boom");
        var crashed = await PresenceEvent(js, watcher, "presence_leave", "kim", e => e["metas"]![0]!["status"]!.GetValue<string>() == "away");
        Assert.Equal(0, crashed["remaining"]!.GetValue<int>());
        await js.WaitForJoinAsync(kim);
        await SyncedWith(js, watcher, ("kim", "online"), ("watcher", "online"));

        // The socket closes: kim leaves.
        await js.SendAsync(new { cmd = "disconnect", socket = kimSocket });
        await SyncedWith(js, watcher, ("watcher", "online"));
    }

    /// <summary>The JS client may report a join twice (state and own diff, §7.4), so waits match on content, not order.</summary>
    private static Task<JsonObject> PresenceEvent(Infrastructure.JsClient js, string channel, string type, string key, Func<JsonObject, bool>? match = null) =>
        js.WaitForAsync(
            e => Infrastructure.JsClient.Type(e) == type && Infrastructure.JsClient.Str(e, "channel") == channel && Infrastructure.JsClient.Str(e, "key") == key
                && (match?.Invoke(e) ?? true),
            $"{type} of {key}");

    /// <summary>Waits for a sync whose list is exactly these keys with these statuses (one meta each).</summary>
    private static Task<JsonObject> SyncedWith(Infrastructure.JsClient js, string channel, params (string Key, string Status)[] expected) =>
        js.WaitForAsync(
            e => Infrastructure.JsClient.Type(e) == "presence_sync" && Infrastructure.JsClient.Str(e, "channel") == channel
                && e["list"]!.AsArray().Select(p => (p!["key"]!.GetValue<string>(), p["metas"]!.AsArray().Count == 1 ? p["metas"]![0]!["status"]!.GetValue<string>() : "?"))
                    .OrderBy(p => p.Item1).SequenceEqual(expected.OrderBy(p => p.Key)),
            $"a sync with exactly {string.Join(", ", expected)}");
}
