using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>The WebSocket channel cases of protocol.md §10.1, for V1 and V2, with raw frames against real Kestrel.</summary>
public sealed class WebSocketChannelTests(FixtureServer server) : IClassFixture<FixtureServer>
{
    public static TheoryData<string> Versions => new() { "1.0.0", "2.0.0" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Multiple_mount_segments_serve_channels(string vsn)
    {
        await using var client = await Connect("/ws/admin", vsn);
        var (joinRef, @ref) = await client.JoinAsync("room:admin-lobby1");
        var reply = await client.AssertReplyAsync(@ref);
        Assert.Equal("1", reply.Ref);
        Assert.Equal(client.IsV2 ? "11" : null, reply.JoinRef);
        Assert.Equal(joinRef, reply.JoinRef);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Join_events_and_leave(string vsn)
    {
        await using var client = await Connect("/ws", vsn);
        var topic = $"room:lobby-{vsn}";
        var (joinRef, @ref) = await client.JoinAsync(topic);
        Assert.Equal("ok", (await client.AssertReplyAsync(@ref)).Status);

        var joined = await client.AssertEventAsync("joined");
        Assert.Equal(joinRef, joined.JoinRef);
        Assert.Equal("connected", joined.Payload!["status"]!.GetValue<string>());
        Assert.Null(joined.Payload["user_id"]);
        var entered = await client.AssertEventAsync("user_entered");
        Assert.Null(entered.JoinRef);
        Assert.Null(entered.Ref);

        await client.SendAsync(topic, "new_msg", new { body = "hi!" }, joinRef);
        var msg = await client.AssertEventAsync("new_msg");
        Assert.Equal("hi!", msg.Payload!["body"]!.GetValue<string>());
        Assert.Equal("websocket", msg.Payload["transport"]!.GetValue<string>());

        var leaveRef = await client.SendAsync(topic, "phx_leave", new { }, joinRef);
        await client.AssertReplyAsync(leaveRef);
        var close = await client.AssertEventAsync("phx_close");
        Assert.Equal(joinRef, close.JoinRef);
        await client.AssertEventAsync("you_left");
        Assert.Equal("shutdown:left", await server.Terminations.WaitForAsync(topic, Patience.Default));

        var afterLeave = await client.SendAsync(topic, "new_msg", new { body = "again" }, joinRef);
        var unmatched = await client.AssertReplyAsync(afterLeave, "error");
        Assert.Equal("unmatched topic", unmatched.Response!["reason"]!.GetValue<string>());
        Assert.Null(unmatched.JoinRef);
        await client.RefuteBeforeReplyAsync(m => m.Event == "new_msg", await client.SendHeartbeatAsync());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task The_101st_join_is_refused(string vsn)
    {
        await using var client = await Connect("/ws", vsn);
        for (var i = 1; i <= 100; i++)
        {
            var (_, @ref) = await client.JoinAsync($"prefix-{i}");
            await client.AssertReplyAsync(@ref);
        }

        var (_, refused) = await client.JoinAsync("prefix-101");
        Assert.Equal("101", refused);
        var reply = await client.AssertReplyAsync(refused, "error");
        Assert.Equal("too many channels joined", reply.Response!["reason"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_configured_limit_of_one_channel(string vsn)
    {
        await using var client = await Connect("/ws/limited", vsn);
        var (_, first) = await client.JoinAsync("room:1");
        await client.AssertReplyAsync(first);
        var (_, second) = await client.JoinAsync("room:2");
        var reply = await client.AssertReplyAsync(second, "error");
        Assert.Equal("too many channels joined", reply.Response!["reason"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_crash_sends_phx_error_for_that_topic_only(string vsn)
    {
        // Topics of this run only: the fixture's termination log keeps every run's entries, and the first match answers.
        var crash = $"room:crash-{vsn}";
        var survivor = $"room:survivor-{vsn}";
        await using var client = await Connect("/ws", vsn);
        var (joinRef, @ref) = await client.JoinAsync(crash);
        await client.AssertReplyAsync(@ref);
        var (otherJoinRef, otherRef) = await client.JoinAsync(survivor);
        await client.AssertReplyAsync(otherRef);

        await client.SendAsync(crash, "boom", new { }, joinRef);
        var error = await client.AssertEventAsync("phx_error", crash);
        Assert.Equal("channel_crash", error.Payload!["reason"]!.GetValue<string>());
        Assert.Equal(joinRef, error.JoinRef);
        Assert.Equal(joinRef, error.Ref);
        Assert.Equal("crash", await server.Terminations.WaitForAsync(crash, Patience.Default));

        var ping = await client.SendAsync(survivor, "ping", new { still = "here" }, otherJoinRef);
        var pong = await client.AssertReplyAsync(ping);
        Assert.Equal("here", pong.Response!["still"]!.GetValue<string>());
    }

    [Fact]
    public async Task Closing_the_transport_terminates_channels()
    {
        var client = await Connect("/ws", "2.0.0");
        var (_, @ref) = await client.JoinAsync("room:closing");
        await client.AssertReplyAsync(@ref);
        await client.Socket.SendCloseAsync();
        var close = await client.WaitForCloseAsync(Patience.Default);
        Assert.Equal(1000, close?.CloseCode);
        await client.DisposeAsync();
        Assert.Equal("shutdown:closed", await server.Terminations.WaitForAsync("room:closing", Patience.Default));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Events_before_join_get_unmatched_topic(string vsn)
    {
        await using var client = await Connect("/ws", vsn);
        for (var i = 0; i < 2; i++)
        {
            var @ref = await client.SendAsync("room:nojoin", "new_msg", new { body = "x" }, null);
            var reply = await client.AssertReplyAsync(@ref, "error");
            Assert.Equal("unmatched topic", reply.Response!["reason"]!.GetValue<string>());
        }

        await client.RefuteBeforeReplyAsync(m => m.Event == "new_msg", await client.SendHeartbeatAsync());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Disconnect_broadcast_closes_with_1001_and_terminates_every_channel(string vsn)
    {
        var userId = $"1001-{vsn}";
        await using var client = await Connect("/ws", vsn, $"user_id={userId}");
        var (_, r1) = await client.JoinAsync($"room:wsdisconnect1-{vsn}");
        await client.AssertReplyAsync(r1);
        var (_, r2) = await client.JoinAsync($"room:wsdisconnect2-{vsn}");
        await client.AssertReplyAsync(r2);

        server.Broadcaster.Disconnect($"user_sockets:{userId}");
        var close = await client.WaitForCloseAsync(Patience.Default);
        Assert.Equal(1001, close?.CloseCode);
        Assert.Equal("shutdown:disconnected", await server.Terminations.WaitForAsync($"room:wsdisconnect1-{vsn}", Patience.Default));
        Assert.Equal("shutdown:disconnected", await server.Terminations.WaitForAsync($"room:wsdisconnect2-{vsn}", Patience.Default));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Duplicate_join_replies_then_closes_the_old_join(string vsn)
    {
        await using var client = await Connect("/ws", vsn);
        var (oldJoinRef, first) = await client.JoinAsync("room:joiner");
        await client.AssertReplyAsync(first);
        var (newJoinRef, second) = await client.JoinAsync("room:joiner");
        var reply = await client.AssertReplyAsync(second);
        Assert.Equal("2", reply.Ref);
        var close = await client.AssertEventAsync("phx_close");
        Assert.Equal(oldJoinRef, close.JoinRef);
        if (client.IsV2)
        {
            Assert.NotEqual(newJoinRef, close.JoinRef);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Joining_an_unmatched_topic_is_refused_with_a_null_join_ref(string vsn)
    {
        await using var client = await Connect("/ws", vsn);
        var (_, @ref) = await client.JoinAsync("unmatched-topic");
        var reply = await client.AssertReplyAsync(@ref, "error");
        Assert.Equal("1", reply.Ref);
        Assert.Null(reply.JoinRef);
        Assert.Equal("unmatched topic", reply.Response!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Custom_channel_join_outcomes_and_a_normal_stop()
    {
        await using var client = await Connect("/ws", "2.0.0");
        var (_, ignore) = await client.JoinAsync("custom:ignore", new { action = "ignore" });
        var ignored = await client.AssertReplyAsync(ignore, "error");
        Assert.Equal(("11", "1"), (ignored.JoinRef, ignored.Ref));
        Assert.Equal("ignore", ignored.Response!["action"]!.GetValue<string>());

        var (_, error) = await client.JoinAsync("custom:error", new { action = "error" });
        var crashed = await client.AssertReplyAsync(error, "error");
        Assert.Equal(("12", "2"), (crashed.JoinRef, crashed.Ref));
        Assert.Equal("join crashed", crashed.Response!["reason"]!.GetValue<string>());

        var (okJoinRef, ok) = await client.JoinAsync("custom:ok", new { action = "ok" });
        var joined = await client.AssertReplyAsync(ok);
        Assert.Equal(("13", "3"), (joined.JoinRef, joined.Ref));
        Assert.Equal("ok", joined.Response!["action"]!.GetValue<string>());

        await client.SendAsync("custom:ok", "close", new { }, okJoinRef);
        var close = await client.AssertEventAsync("phx_close", "custom:ok");
        Assert.Equal(okJoinRef, close.JoinRef);
        Assert.Equal(okJoinRef, close.Ref);
    }

    [Fact]
    public async Task Binary_events_round_trip_as_binary_frames()
    {
        await using var client = await Connect("/ws", "2.0.0");
        var (joinRef, @ref) = await client.JoinAsync("room:bin");
        await client.AssertReplyAsync(@ref);
        var binaryRef = await client.SendBinaryAsync("room:bin", "binary_event", [1, 2], joinRef);

        var reply = await client.AssertReceiveAsync(m => m.Binary is not null && m.Event == "phx_reply", "binary reply");
        Assert.Equal(binaryRef, reply.Ref);
        Assert.Equal("11", reply.JoinRef);
        Assert.Equal("ok", reply.Status);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, reply.Binary);

        var push = await client.AssertReceiveAsync(m => m.Binary is not null && m.Event == "binary_event", "binary push");
        Assert.Equal("11", push.JoinRef);
        Assert.Equal(new byte[] { 0, 1 }, push.Binary);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Stale_join_refs_are_dropped_and_heartbeats_answered(string vsn)
    {
        await using var client = await Connect("/ws", vsn);
        var heartbeat = await client.SendAsync("phoenix", "heartbeat", new { }, null);
        var reply = await client.AssertReplyAsync(heartbeat);
        Assert.Equal("phoenix", reply.Topic);
        Assert.Null(reply.JoinRef);

        if (client.IsV2)
        {
            var (joinRef, @ref) = await client.JoinAsync("room:stale");
            await client.AssertReplyAsync(@ref);
            var stale = await client.SendAsync("room:stale", "ping", new { }, "stale");
            var current = await client.SendAsync("room:stale", "ping", new { }, joinRef);
            await client.RefuteBeforeReplyAsync(m => m.Ref == stale, current); // the same channel answers in order
        }
    }

    private Task<PhoenixTestClient> Connect(string path, string vsn, string query = "") =>
        PhoenixTestClient.ConnectAsync(server.BaseUri, path, vsn, query);
}
