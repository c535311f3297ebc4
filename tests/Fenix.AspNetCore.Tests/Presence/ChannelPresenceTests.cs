using System.Text.Json;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.AspNetCore.Tests.Presence;

/// <summary>Presence through channels, with the test kit (§7.2–7.4, §4.8).</summary>
public sealed class ChannelPresenceTests : IAsyncLifetime
{
    private const string Topic = "presence:lobby";

    private readonly ChannelTestHost _host = new(services => services.AddFenix().AddPresence()) { AssertTimeout = Patience.Default };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task After_join_the_user_is_tracked_and_presence_state_has_the_exact_shape()
    {
        var ann = _host.Socket<PresenceTestSocket>();
        await ann.JoinOkAsync(Topic, new { user = "ann" });

        var state = await ann.AssertPushAsync(PhoenixEvents.PresenceState);
        var phxRef = MetasOf(state.Payload, "ann").Single().GetProperty("phx_ref").GetString();
        Assert.Equal($$$"""{"ann":{"metas":[{"online_at":"1700000000","phx_ref":"{{{phxRef}}}"}]}}""", state.Payload.ToString());
        Assert.Equal("1", state.JoinRef);
        Assert.Null(state.Ref);
        Assert.Equal(PhoenixEvents.Reply, ann.Received[0].Event);

        var diff = await ann.AssertPushAsync(PhoenixEvents.PresenceDiff);
        Assert.True(diff.IsBroadcast);
        Assert.Equal($$$"""{"joins":{"ann":{"metas":[{"online_at":"1700000000","phx_ref":"{{{phxRef}}}"}]}},"leaves":{}}""", diff.Payload.ToString());
    }

    [Fact]
    public async Task Members_see_each_others_joins_and_the_newcomer_gets_everyone_in_its_state()
    {
        var ann = await JoinAsync("ann");
        var bob = _host.Socket<PresenceTestSocket>();
        await bob.JoinOkAsync(Topic, new { user = "bob" });

        var bobState = await bob.AssertPushAsync(PhoenixEvents.PresenceState);
        Assert.Equal(["ann", "bob"], Keys(bobState.Payload));
        await ann.AssertPushAsync(PhoenixEvents.PresenceDiff, p => Keys(p, "joins").SequenceEqual(["bob"]) && Keys(p, "leaves").Length == 0);
    }

    [Theory]
    [InlineData("leave")]
    [InlineData("crash")]
    [InlineData("close")]
    public async Task A_channel_that_ends_however_it_ends_leaves_within_a_second(string how)
    {
        var ann = await JoinAsync("ann");
        var bob = await JoinAsync("bob");

        switch (how)
        {
            case "leave":
                await bob.LeaveAsync(Topic);
                break;
            case "crash":
                bob.Push(Topic, "crash");
                await bob.AssertPushAsync(PhoenixEvents.Error);
                Assert.Single(_host.TakeErrors());
                break;
            case "close":
                await bob.CloseAsync();
                break;
        }

        await ann.AssertPushAsync(PhoenixEvents.PresenceDiff, p => Keys(p, "leaves").SequenceEqual(["bob"]) && Keys(p, "joins").Length == 0);
        Assert.Equal(["ann"], (await Presence.ListAsync(Topic)).Keys);
    }

    [Fact]
    public async Task A_duplicate_join_replaces_the_old_channels_presence()
    {
        var ann = await JoinAsync("ann");
        var oldRef = MetasOf((await Presence.ListAsync(Topic))["ann"]).Single().GetProperty("phx_ref").GetString();

        await ann.JoinOkAsync(Topic, new { user = "ann" });
        var state = await ann.AssertPushAsync(PhoenixEvents.PresenceState);

        // The new channel's presence_state is read after it subscribed. If that read came before the old channel's
        // untrack, the old meta is in it and its leave must follow; if after, the leave went out before the subscription
        // and the state already lacks it. Either way the client ends with the new meta only.
        var stateHasOld = state.Payload.Json.TryGetProperty("ann", out var annInState)
            && annInState.GetProperty("metas").EnumerateArray().Any(meta => meta.GetProperty("phx_ref").GetString() == oldRef);
        if (stateHasOld)
        {
            await ann.AssertPushAsync(PhoenixEvents.PresenceDiff, p =>
                Keys(p, "leaves").SequenceEqual(["ann"]) && p.Json.GetProperty("leaves").GetProperty("ann").GetProperty("metas")[0].GetProperty("phx_ref").GetString() == oldRef);
        }

        await WaitUntilAsync(async () => (await Presence.ListAsync(Topic)).TryGetValue("ann", out var entry) && entry.Metas.Count == 1
            && entry.Metas[0].GetProperty("phx_ref").GetString() != oldRef);
    }

    [Fact]
    public async Task Several_sessions_of_one_user_share_one_key_with_several_metas()
    {
        var tab1 = await JoinAsync("ann");
        var tab2 = _host.Socket<PresenceTestSocket>();
        await tab2.JoinOkAsync(Topic, new { user = "ann" });

        var state = await tab2.AssertPushAsync(PhoenixEvents.PresenceState);
        Assert.Equal(["ann"], Keys(state.Payload));
        Assert.Equal(2, MetasOf(state.Payload, "ann").Count);

        await tab2.CloseAsync();
        await tab1.AssertPushAsync(PhoenixEvents.PresenceDiff, p => Keys(p, "leaves").SequenceEqual(["ann"]));
        Assert.Single((await Presence.ListAsync(Topic))["ann"].Metas);
    }

    [Fact]
    public async Task An_update_sends_one_diff_with_the_new_meta_carrying_phx_ref_prev_and_the_old_one_leaving()
    {
        var ann = await JoinAsync("ann");
        var oldRef = MetasOf((await Presence.ListAsync(Topic))["ann"]).Single().GetProperty("phx_ref").GetString();

        var reply = await ann.AssertReplyAsync(ann.Push(Topic, "status", new { status = "away" }), ReplyStatus.Ok);
        var newRef = reply.Payload.Json.GetProperty("phx_ref").GetString();

        var diff = await ann.AssertPushAsync(PhoenixEvents.PresenceDiff, p => Keys(p, "leaves").Length == 1);
        Assert.Equal(
            $$$$"""{"joins":{"ann":{"metas":[{"online_at":"1700000000","status":"away","phx_ref":"{{{{newRef}}}}","phx_ref_prev":"{{{{oldRef}}}}"}]}},"leaves":{"ann":{"metas":[{"online_at":"1700000000","phx_ref":"{{{{oldRef}}}}"}]}}}""",
            diff.Payload.ToString());
    }

    [Fact]
    public async Task Tracking_the_same_key_twice_from_a_channel_is_a_clear_error_and_untrack_leaves()
    {
        var ann = await JoinAsync("ann");

        var refused = await ann.AssertReplyAsync(ann.Push(Topic, "track_again"), ReplyStatus.Error);
        Assert.Equal("already_tracked", refused.Payload.Json.GetProperty("reason").GetString());
        Assert.Contains($"already tracks key 'ann' on topic '{Topic}'", refused.Payload.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        await ann.AssertReplyAsync(ann.Push(Topic, "untrack"), ReplyStatus.Ok);
        await ann.AssertPushAsync(PhoenixEvents.PresenceDiff, p => Keys(p, "leaves").SequenceEqual(["ann"]));
    }

    [Fact]
    public async Task Presences_tracked_from_outside_a_channel_reach_its_members()
    {
        var ann = await JoinAsync("ann");

        var phxRef = await Presence.TrackAsync(Topic, "system", new { kind = "bot" });

        await ann.AssertBroadcastAsync(PhoenixEvents.PresenceDiff, new { joins = new { system = new { metas = new[] { new { kind = "bot", phx_ref = phxRef } } } }, leaves = new { } });
        await Presence.UntrackAsync(Topic, "system");
        await ann.AssertPushAsync(PhoenixEvents.PresenceDiff, p => Keys(p, "leaves").SequenceEqual(["system"]));
    }

    private IPresence Presence => _host.Services.GetRequiredService<IPresence>();

    private async Task<TestSocket> JoinAsync(string user)
    {
        var socket = _host.Socket<PresenceTestSocket>();
        await socket.JoinOkAsync(Topic, new { user });
        await socket.AssertPushAsync(PhoenixEvents.PresenceState);
        await socket.AssertPushAsync(PhoenixEvents.PresenceDiff, p => Keys(p, "joins").Contains(user));
        return socket;
    }

    private static string[] Keys(Payload payload, string? half = null)
    {
        var json = half is null ? payload.Json : payload.Json.GetProperty(half);
        return [.. json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
    }

    private static List<JsonElement> MetasOf(Payload payload, string key) => [.. payload.Json.GetProperty(key).GetProperty("metas").EnumerateArray()];

    private static List<JsonElement> MetasOf(PresenceEntry entry) => [.. entry.Metas];

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience.Default;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Delay(10);
        }
    }
}
