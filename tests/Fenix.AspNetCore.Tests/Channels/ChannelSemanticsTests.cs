using System.Security.Claims;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.AspNetCore.Tests.Channels;

/// <summary>Channel semantics of protocol.md §3–§4, through the in-memory test kit.</summary>
public sealed class ChannelSemanticsTests : IAsyncLifetime
{
    private readonly ChannelProbe _probe = new();
    private readonly ChannelTestHost _host;

    public ChannelSemanticsTests()
    {
        _host = new ChannelTestHost(services =>
        {
            services.AddSingleton(_probe);
            services.AddAuthorization(options => options.AddPolicy("admins", policy => policy.RequireRole("admin")));
        })
        {
            AssertTimeout = Patience.Default,
        };
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Join_replies_ok_before_anything_the_channel_sends()
    {
        var socket = _host.Socket<TestUserSocket>(("user_id", "7"));
        var reply = await socket.JoinAsync("room:lobby", new { user = "ann" });

        Assert.True(reply.IsOk);
        Assert.Equal("{}", reply.Response.ToString());
        await socket.AssertPushAsync("user_entered", new { user = "ann" });
        var joined = await socket.AssertPushAsync("joined", new { status = "connected", user_id = "7" });
        Assert.Equal("1", joined.JoinRef);
        Assert.Null(joined.Ref);
        Assert.Equal(PhoenixEvents.Reply, socket.Received[0].Event);
    }

    [Fact]
    public async Task A_joined_channel_is_counted_by_the_time_its_reply_arrives()
    {
        // Dashboards and tests read the counts right after the reply: counting after writing it raced them (and a leave
        // racing the count could uncount first, leaving the topic in the statistics for good).
        var topics = _host.Services.GetRequiredService<Fenix.Diagnostics.FenixTopicStatistics>();
        var metrics = _host.Services.GetRequiredService<Fenix.AspNetCore.Diagnostics.FenixMetrics>();
        var socket = _host.Socket<TestUserSocket>();
        for (var i = 1; i <= 20; i++)
        {
            await socket.JoinOkAsync($"room:counted-{i}", new { user = "ann" });
            Assert.Equal(1, topics.ChannelsOn($"room:counted-{i}"));
            Assert.Equal(i, metrics.ActiveChannels);
        }
    }

    [Fact]
    public async Task Broadcasts_reach_clients_without_join_ref_and_pushes_carry_it()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:1", new { user = "ann" });

        var broadcast = await socket.AssertPushAsync("user_entered");
        Assert.True(broadcast.IsBroadcast);
        await socket.AssertBroadcastAsync("user_entered", new { user = "ann" });
    }

    [Fact]
    public async Task Join_outcomes_reply_and_discard_refused_channels()
    {
        var socket = _host.Socket<TestUserSocket>();

        Assert.Equal(new { status = "error", response = "{\"action\":\"ignore\"}" }, Describe(await socket.JoinAsync("custom:ignore")));
        Assert.Equal(new { status = "error", response = "{\"reason\":\"join crashed\"}" }, Describe(await socket.JoinAsync("custom:error")));
        Assert.Equal(new { status = "ok", response = "{\"action\":\"ok\"}" }, Describe(await socket.JoinAsync("custom:ok")));
        Assert.Equal(new { status = "error", response = "{\"reason\":\"unmatched topic\"}" }, Describe(await socket.JoinAsync("nowhere")));
        Assert.Single(_host.TakeErrors()); // the join crash is logged

        // The refused topic is free: an event there is answered like any unjoined topic.
        var @ref = socket.Push("custom:ignore", "anything");
        await socket.AssertReplyAsync(@ref, "error", new { reason = "unmatched topic" });
    }

    [Fact]
    public async Task Unmatched_topic_replies_carry_a_null_join_ref()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinAsync("unmatched-topic");
        var reply = Assert.Single(socket.Received);
        Assert.Null(reply.JoinRef);
        Assert.Equal("1", reply.Ref);
    }

    [Fact]
    public async Task Pushes_made_in_join_follow_the_join_reply()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("custom:push_in_join");
        await socket.AssertPushAsync("early", new { pushed = "during join" });
        Assert.Equal(PhoenixEvents.Reply, socket.Received[0].Event);
        Assert.Equal("early", socket.Received[1].Event);
    }

    [Fact]
    public async Task Handle_in_replies_ok_error_and_async()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:lobby");

        await socket.AssertReplyAsync(socket.Push("room:lobby", "unknown_event"), "error", new { reason = "unknown" });
        await socket.AssertReplyAsync(socket.Push("room:lobby", "later"), "ok", new { late = true });
        var noReply = socket.Push("room:lobby", "noreply");
        await BarrierAsync(socket, "room:lobby"); // replies go out in order: one to noreply would have come first
        Assert.DoesNotContain(socket.Received, f => f.IsReply && f.Ref == noReply);
    }

    [Fact]
    public async Task Intercepted_broadcasts_visit_handle_out_and_become_pushes()
    {
        var ann = _host.Socket<TestUserSocket>();
        var bob = _host.Socket<TestUserSocket>();
        await ann.JoinOkAsync("room:lobby");
        await bob.JoinOkAsync("room:lobby");

        await ann.AssertReplyAsync(ann.Push("room:lobby", "new_msg", new { body = "hi!" }), "ok");
        var pushed = await bob.AssertPushAsync("new_msg", new { body = "hi!", transport = "test" });
        Assert.Equal("1", pushed.JoinRef); // a push, not a fastlaned broadcast
        await ann.AssertPushAsync("new_msg", new { body = "hi!", transport = "test" });

        await ann.AssertReplyAsync(ann.Push("room:lobby", "new_msg", new { body = "filtered" }), "ok");
        // The broadcast reached bob's channel before ann's reply; bob's next push is handled after it.
        await bob.RefutePushBeforeReplyAsync("new_msg", await BarrierAsync(bob, "room:lobby"));
    }

    [Fact]
    public async Task Broadcast_from_skips_the_sender()
    {
        var ann = _host.Socket<TestUserSocket>();
        var bob = _host.Socket<TestUserSocket>();
        await ann.JoinOkAsync("room:lobby");
        await bob.JoinOkAsync("room:lobby");

        ann.Push("room:lobby", "shout", new { body = "hey" });
        await bob.AssertPushAsync("shout", new { body = "hey" });
        // Had ann's channel not been skipped, its shout would have gone out while the shout was handled.
        await ann.RefutePushBeforeReplyAsync("shout", await BarrierAsync(ann, "room:lobby"));
    }

    [Fact]
    public async Task Crash_sends_phx_error_for_that_topic_only_and_runs_terminate()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:a");
        await socket.JoinOkAsync("room:b");

        socket.Push("room:a", "boom");
        var error = await socket.AssertPushAsync(PhoenixEvents.Error, new { reason = "channel_crash" });
        Assert.Equal("room:a", error.Topic);
        Assert.Equal(error.JoinRef, error.Ref);
        Assert.Equal("crash", (await _probe.Terminated.Task).Name);
        Assert.Single(_host.TakeErrors());

        await socket.AssertReplyAsync(socket.Push("room:b", "unknown_event"), "error");
        var afterCrash = socket.Push("room:a", "unknown_event");
        await socket.AssertReplyAsync(afterCrash, "error", new { reason = "unmatched topic" });

        var rejoin = await socket.JoinAsync("room:a");
        Assert.True(rejoin.IsOk);
    }

    [Fact]
    public async Task Stop_with_reply_sends_reply_then_close_then_terminate_pushes()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:lobby");
        var @ref = socket.Push("room:lobby", "stop");

        await socket.AssertReplyAsync(@ref, "ok", new { bye = true });
        var close = await socket.AssertPushAsync(PhoenixEvents.Close, new { });
        Assert.Equal("1", close.JoinRef);
        Assert.Equal("1", close.Ref);
        await socket.AssertPushAsync("you_left", new { message = "bye!" });
        var events = socket.Received.Select(f => f.Event).ToList();
        Assert.True(events.IndexOf(PhoenixEvents.Close) < events.IndexOf("you_left"));
    }

    [Fact]
    public async Task Stop_with_an_error_reason_sends_phx_error()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:lobby");
        socket.Push("room:lobby", "stop_error");
        await socket.AssertPushAsync(PhoenixEvents.Error);
        Assert.Equal("custom_error", (await _probe.Terminated.Task).Name);
    }

    [Fact]
    public async Task Leave_replies_closes_and_frees_the_topic()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:lobby");
        await socket.LeaveAsync("room:lobby");
        await socket.AssertPushAsync(PhoenixEvents.Close);
        await socket.AssertPushAsync("you_left");
        Assert.Equal("shutdown:left", (await _probe.Terminated.Task).Name);

        await socket.AssertReplyAsync(socket.Push("room:lobby", "new_msg", new { body = "x" }), "error", new { reason = "unmatched topic" });
    }

    [Fact]
    public async Task Leave_of_an_unjoined_topic_is_ok_without_close()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.LeaveAsync("room:never");
        var barrier = socket.Push("room:never", "new_msg");
        await socket.AssertReplyAsync(barrier, "error", new { reason = "unmatched topic" });
        await socket.RefutePushBeforeReplyAsync(PhoenixEvents.Close, barrier);
    }

    [Fact]
    public async Task Duplicate_join_closes_the_old_instance_after_the_new_reply()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:joiner");
        var second = await socket.JoinAsync("room:joiner");
        Assert.True(second.IsOk);

        var close = await socket.AssertPushAsync(PhoenixEvents.Close);
        Assert.Equal("1", close.JoinRef);
        var frames = socket.Received.ToList();
        var newReply = frames.FindIndex(f => f.IsReply && f.Ref == "2");
        Assert.True(newReply >= 0 && newReply < frames.IndexOf(close));
        Assert.False(_probe.Terminated.Task.IsCompleted); // killed, not terminated
    }

    [Fact]
    public async Task Stale_join_refs_are_dropped_and_null_join_refs_accepted()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:x");

        var stale = socket.PushWithJoinRef("room:x", "unknown_event", "stale");
        var nullRef = socket.PushWithJoinRef("room:x", "unknown_event", null);
        await socket.AssertReplyAsync(nullRef, "error", new { reason = "unknown" });
        Assert.DoesNotContain(socket.Received, f => f.IsReply && f.Ref == stale); // it would have come before the later push's reply
    }

    [Fact]
    public async Task Heartbeats_are_answered_on_the_phoenix_topic()
    {
        var socket = _host.Socket<TestUserSocket>();
        var @ref = socket.PushWithJoinRef("phoenix", "heartbeat", null);
        var reply = await socket.AssertReplyAsync(@ref, "ok", new { });
        Assert.Null(reply.JoinRef);
    }

    [Fact]
    public async Task Channel_limit_refuses_further_joins()
    {
        _host.ConfigureMount<TestUserSocket>(options => options.MaxChannels = 2);
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:1");
        await socket.JoinOkAsync("room:2");
        var third = await socket.JoinAsync("room:3");
        Assert.Equal(new { status = "error", response = "{\"reason\":\"too many channels joined\"}" }, Describe(third));
    }

    [Fact]
    public async Task Assigns_are_copied_per_channel_and_route_assigns_apply()
    {
        var socket = _host.Socket<TestUserSocket>(("user_id", "9"));
        await socket.JoinOkAsync("room:a");
        await socket.JoinOkAsync("static:b");
        await socket.AssertReplyAsync(socket.Push("room:a", "assign", new { value = "a-only" }), "ok", new { value = "a-only" });

        await socket.AssertReplyAsync(socket.Push("static:b", "read_assigns"), "ok", new { mine = (string?)null, flavor = "static", user_id = "9" });
        await socket.AssertReplyAsync(socket.Push("room:a", "read_assigns"), "ok", new { mine = "a-only", flavor = (string?)null, user_id = "9" });
        Assert.False(socket.Assigns.ContainsKey("mine"));
    }

    [Fact]
    public async Task Infos_arrive_through_send_after_and_extra_subscriptions()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:lobby");
        socket.Push("room:lobby", "info_after");
        await socket.AssertPushAsync("info", new { text = "tick" });

        await socket.AssertReplyAsync(socket.Push("room:lobby", "subscribe", new { topic = "alerts" }), "ok");
        _host.Broadcaster.Broadcast("alerts", "fire", new { level = 3 });
        await socket.AssertPushAsync("relayed", new { topic = "alerts", @event = "fire" });
    }

    [Fact]
    public async Task Broadcaster_reaches_subscribers_from_outside_any_channel()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:news");
        _host.Broadcaster.Broadcast("room:news", "headline", new { text = "hello" });
        var frame = await socket.AssertPushAsync("headline", new { text = "hello" });
        Assert.True(frame.IsBroadcast);
    }

    [Fact]
    public async Task Disconnect_by_socket_id_closes_with_1001_and_terminates_channels()
    {
        var socket = await _host.ConnectAsync<TestUserSocket>(new Dictionary<string, string> { ["user_id"] = "1001" });
        Assert.Equal("user_sockets:1001", socket.Id);
        await socket.JoinOkAsync("room:wsdisconnect1");

        _host.Broadcaster.Disconnect("user_sockets:1001");
        Assert.Equal(1001, socket.CloseCode);
        await socket.CloseAsync(); // the transport reports the close it was asked for
        Assert.Equal("shutdown:disconnected", (await _probe.Terminated.Task).Name);
    }

    [Fact]
    public async Task Connect_refusals_are_reported()
    {
        Assert.Null(await _host.TryConnectAsync<TestUserSocket>(new Dictionary<string, string> { ["reject"] = "true" }));
        Assert.NotNull(await _host.TryConnectAsync<TestUserSocket>(new Dictionary<string, string>()));
    }

    [Fact]
    public async Task Authorization_policies_guard_joins()
    {
        var anonymous = _host.Socket<TestUserSocket>();
        Assert.Equal(new { status = "error", response = "{\"reason\":\"unauthorized\"}" }, Describe(await anonymous.JoinAsync("admin:panel")));

        var admin = await _host.ConnectAsync<TestUserSocket>(connectInfo: TestConnectInfo.Create(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "admin")], "test"))));
        Assert.True((await admin.JoinAsync("admin:panel")).IsOk);
    }

    [Fact]
    public async Task Connection_close_terminates_channels_with_closed()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:lobby");
        await socket.CloseAsync();
        Assert.Equal("shutdown:closed", (await _probe.Terminated.Task).Name);
    }

    [Fact]
    public async Task Binary_payloads_round_trip()
    {
        var socket = _host.Socket<TestUserSocket>();
        await socket.JoinOkAsync("room:bin");
        var @ref = socket.Push("room:bin", "binary", new byte[] { 1, 2 });
        await socket.AssertReplyAsync(@ref, "ok", new byte[] { 1, 2, 3, 4 });
        await socket.AssertPushAsync("binary_event", new byte[] { 0, 1 });
    }

    private static object Describe(JoinReply reply) => new { status = reply.Status, response = reply.Response.ToString() };

    /// <summary>An event the room refuses: its reply comes after everything the channel pushed before handling it.</summary>
    private static async Task<string> BarrierAsync(TestSocket socket, string topic)
    {
        var barrier = socket.Push(topic, "barrier");
        await socket.AssertReplyAsync(barrier, "error", new { reason = "unknown" });
        return barrier;
    }
}
