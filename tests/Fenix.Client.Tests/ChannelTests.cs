using Fenix.Client.Tests.Support;

namespace Fenix.Client.Tests;

/// <summary>The channel join state machine, push buffering and reply routing on a fake transport and a manual clock.</summary>
public sealed class ChannelTests
{
    [Fact]
    public async Task A_join_reply_ok_joins_and_hands_back_the_response()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = fake.Socket.Channel("room:a");
        var joinedEvent = Wait.Next<string>();
        channel.Joined += response => joinedEvent.Signal(response.ToString());

        var join = channel.JoinAsync();
        await fake.SyncAsync();
        Assert.Equal(ChannelState.Joining, channel.State);
        transport.Receive(Frames.Reply("1", "1", "room:a", "ok", """{"welcome":true}"""));

        var reply = await join.Within();
        Assert.True(reply.IsOk);
        Assert.Equal("""{"welcome":true}""", reply.Response.ToString());
        Assert.Equal("""{"welcome":true}""", await joinedEvent.Task.Within());
        Assert.Equal(ChannelState.Joined, channel.State);
        Assert.Equal("1", channel.JoinRef);
    }

    [Fact]
    public async Task A_refused_join_is_retried_with_the_rejoin_backoff()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = fake.Socket.Channel("room:secret");
        var join = channel.JoinAsync();
        await fake.SyncAsync();

        var joinRef = "1";
        transport.Receive(Frames.Reply(joinRef, joinRef, "room:secret", "error", """{"reason":"unauthorized"}"""));
        var reply = await join.Within();
        Assert.True(reply.IsError);
        Assert.Equal("""{"reason":"unauthorized"}""", reply.Response.ToString());
        Assert.Equal(ChannelState.Errored, channel.State);

        foreach (var seconds in new[] { 1, 2, 5, 10, 10 })
        {
            var sent = transport.Sent.Count;
            await fake.AdvanceAsync(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(sent, transport.Sent.Count);
            await fake.AdvanceAsync(TimeSpan.FromMilliseconds(1));
            joinRef = channel.JoinRef!;
            Assert.Equal($$"""["{{joinRef}}","{{joinRef}}","room:secret","phx_join",{}]""", transport.Sent[^1]);
            transport.Receive(Frames.Reply(joinRef, joinRef, "room:secret", "error", """{"reason":"unauthorized"}"""));
            await fake.SyncAsync();
        }
    }

    [Fact]
    public async Task A_join_timeout_sends_a_leave_for_that_join_and_rejoins_after_a_second()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = fake.Socket.Channel("room:slow");
        var join = channel.JoinAsync(TimeSpan.FromSeconds(5));
        await fake.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.True((await join.Within()).IsTimeout);
        Assert.Equal(ChannelState.Errored, channel.State);
        Assert.Null(channel.JoinRef);
        Assert.Equal(
            ["""["1","1","room:slow","phx_join",{}]""", """["1","2","room:slow","phx_leave",{}]"""],
            transport.Sent);

        await fake.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("""["3","3","room:slow","phx_join",{}]""", transport.Sent[^1]);
        Assert.Equal(ChannelState.Joining, channel.State);
    }

    [Fact]
    public async Task Pushes_wait_for_the_join_and_go_out_with_fresh_refs()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = fake.Socket.Channel("room:a");
        _ = channel.JoinAsync();
        var push = channel.PushAsync("new_msg", new { body = "early" });
        await fake.SyncAsync();
        Assert.Single(transport.Sent);

        transport.Receive(Frames.Reply("1", "1", "room:a", "ok"));
        await fake.SyncAsync();
        // "2" went to the buffered push's timeout registration; each send takes a fresh ref, as in phoenix.js.
        Assert.Equal("""["1","3","room:a","new_msg",{"body":"early"}]""", transport.Sent[^1]);

        transport.Receive(Frames.Reply("1", "2", "room:a", "ok", """{"id":"stale ref"}"""));
        transport.Receive(Frames.Reply("1", "3", "room:a", "ok", """{"id":7}"""));
        var reply = await push.Within();
        Assert.True(reply.IsOk);
        Assert.Equal("""{"id":7}""", reply.Response.ToString());
    }

    [Fact]
    public async Task A_buffered_push_that_timed_out_is_never_sent()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = fake.Socket.Channel("room:a");
        _ = channel.JoinAsync();
        var stale = channel.PushAsync("stale", null, TimeSpan.FromSeconds(1));
        var fresh = channel.PushAsync("fresh", null, TimeSpan.FromSeconds(20));
        await fake.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.True((await stale.Within()).IsTimeout);

        transport.Receive(Frames.Reply("1", "1", "room:a", "ok"));
        await fake.SyncAsync();
        Assert.DoesNotContain(transport.Sent, frame => frame.Contains("\"stale\"", StringComparison.Ordinal));
        Assert.Contains(transport.Sent, frame => frame.Contains("\"fresh\"", StringComparison.Ordinal));
        Assert.False(fresh.IsCompleted);
    }

    [Fact]
    public async Task A_cancelled_buffered_push_is_not_sent()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = fake.Socket.Channel("room:a");
        _ = channel.JoinAsync();
        using var cancel = new CancellationTokenSource();
        var push = channel.PushAsync("never", null, null, cancel.Token);
        await fake.SyncAsync();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => push);

        transport.Receive(Frames.Reply("1", "1", "room:a", "ok"));
        await fake.SyncAsync();
        Assert.Single(transport.Sent);
    }

    [Fact]
    public async Task Replies_are_matched_by_ref_and_unanswered_pushes_time_out()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        var first = channel.PushAsync("a");
        var second = channel.PushAsync("b", null, TimeSpan.FromSeconds(3));
        await fake.SyncAsync();

        transport.Receive(Frames.Reply("1", "2", "room:a", "error", """{"reason":"nope"}"""));
        var firstReply = await first.Within();
        Assert.Equal(("error", """{"reason":"nope"}"""), (firstReply.Status, firstReply.Response.ToString()));
        await fake.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(PushReply.TimeoutStatus, (await second.Within()).Status);
    }

    [Fact]
    public async Task Frames_carrying_an_earlier_join_ref_are_dropped()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        var seen = new List<string>();
        channel.On("news", message => seen.Add(message.Payload.ToString()));

        transport.Receive(Frames.Error("1", "room:a"));
        await fake.AdvanceAsync(TimeSpan.FromSeconds(1));
        var current = channel.JoinRef!;
        Assert.NotEqual("1", current);
        transport.Receive(Frames.Reply(current, current, "room:a", "ok"));

        transport.Receive(Frames.Push("1", "room:a", "news", """{"n":"stale"}"""));
        transport.Receive(Frames.Push(current, "room:a", "news", """{"n":"current"}"""));
        transport.Receive(Frames.Broadcast("room:a", "news", """{"n":"broadcast"}"""));
        await fake.SyncAsync();
        Assert.Equal(["""{"n":"current"}""", """{"n":"broadcast"}"""], seen);
    }

    [Fact]
    public async Task A_server_crash_errors_the_channel_and_it_rejoins_with_buffered_pushes()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        var errored = Wait.Next<string>();
        channel.Errored += payload => errored.Signal(payload.ToString());

        transport.Receive(Frames.Error("1", "room:a"));
        Assert.Equal("""{"reason":"channel_crash"}""", await errored.Task.Within());
        var push = channel.PushAsync("after_crash");
        await fake.AdvanceAsync(TimeSpan.FromSeconds(1));
        var rejoin = channel.JoinRef!;
        Assert.Equal($$"""["{{rejoin}}","{{rejoin}}","room:a","phx_join",{}]""", transport.Sent[^1]);

        transport.Receive(Frames.Reply(rejoin, rejoin, "room:a", "ok"));
        await fake.SyncAsync();
        Assert.Contains($$"""["{{rejoin}}",""", transport.Sent[^1], StringComparison.Ordinal);
        Assert.Contains("after_crash", transport.Sent[^1], StringComparison.Ordinal);
        Assert.False(push.IsCompleted);
    }

    [Fact]
    public async Task A_server_close_closes_for_good()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        var closed = Wait.Next<bool>();
        channel.Closed += _ => closed.Signal(true);

        transport.Receive(Frames.Close("1", "room:a"));
        await closed.Task.Within();
        Assert.Equal(ChannelState.Closed, channel.State);

        transport.ServerClose(1011);
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        fake.Current.Open();
        await fake.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(fake.Current.Sent, frame => frame.Contains("phx_join", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Leaving_a_joined_channel_waits_for_the_server_then_closes()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        var closedPayload = Wait.Next<string>();
        channel.Closed += payload => closedPayload.Signal(payload.ToString());

        var leave = channel.LeaveAsync();
        await fake.SyncAsync();
        Assert.Equal(ChannelState.Leaving, channel.State);
        Assert.Equal("""["1","2","room:a","phx_leave",{}]""", transport.Sent[^1]);

        transport.Receive(Frames.Reply("1", "2", "room:a", "ok"));
        transport.Receive(Frames.Close("1", "room:a"));
        Assert.True((await leave.Within()).IsOk);
        Assert.Equal("\"leave\"", await closedPayload.Task.Within());
        Assert.Equal(ChannelState.Closed, channel.State);
        await fake.SyncAsync();
        Assert.Empty(fake.Socket.Channels);
    }

    [Fact]
    public async Task Leaving_while_disconnected_closes_at_once_and_sends_nothing_later()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        transport.ServerClose(1011);
        await fake.SyncAsync();

        Assert.True((await channel.LeaveAsync().Within()).IsOk);
        Assert.Equal(ChannelState.Closed, channel.State);
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        fake.Current.Open();
        await fake.SyncAsync();
        Assert.Empty(fake.Current.Sent);
    }

    [Fact]
    public async Task A_dropped_connection_errors_the_channel_and_the_next_open_rejoins_at_once()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        var errors = new List<string>();
        channel.Errored += payload => errors.Add(payload.ToString());

        transport.Fail();
        await fake.SyncAsync();
        Assert.Equal(ChannelState.Errored, channel.State);
        Assert.Equal(["""{"source":"transport","reason":"connection_error"}"""], errors);

        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        fake.Current.Open();
        await fake.SyncAsync();
        Assert.Equal("""["2","2","room:a","phx_join",{}]""", fake.Current.Sent.Single());
    }

    [Fact]
    public async Task Binary_payloads_go_out_as_binary_frames()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("t");
        _ = channel.PushAsync("e", new byte[] { 1, 2, 255 });
        await fake.SyncAsync();

        var frame = transport.SentFrames[^1];
        Assert.True(frame.IsBinary);
        Assert.Equal("00" + "01" + "01" + "01" + "01" + "31" + "32" + "74" + "65" + "0102FF", Convert.ToHexString(frame.Data.Span));
    }

    [Fact]
    public async Task Binary_replies_resolve_pushes_with_the_exact_bytes()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("t");
        var push = channel.PushAsync("e", new byte[] { 1 });
        await fake.SyncAsync();

        transport.ReceiveBinary(Convert.FromHexString("0101010102" + "31" + "32" + "74" + "6F6B" + "00FF10"));
        var reply = await push.Within();
        Assert.True(reply.IsOk);
        Assert.True(reply.Response.IsBinary);
        Assert.Equal(new byte[] { 0, 255, 16 }, reply.Response.Bytes.ToArray());
    }

    [Fact]
    public async Task Joining_a_topic_again_leaves_the_other_channel_object()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var first = await fake.JoinAsync("room:a");
        var second = fake.Socket.Channel("room:a");
        _ = second.JoinAsync();
        await fake.SyncAsync();

        Assert.Equal(["""["1","2","room:a","phx_leave",{}]""", """["3","3","room:a","phx_join",{}]"""], transport.Sent.Skip(1));
        Assert.Equal(ChannelState.Leaving, first.State);
    }

    [Fact]
    public async Task Off_removes_one_binding_or_all()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("t");
        var calls = new List<string>();
        var one = channel.On("e", _ => calls.Add("one"));
        channel.On("e", _ => calls.Add("two"));

        channel.Off("e", one);
        transport.Receive(Frames.Broadcast("t", "e"));
        await fake.SyncAsync();
        channel.Off("e");
        transport.Receive(Frames.Broadcast("t", "e"));
        await fake.SyncAsync();
        Assert.Equal(["two"], calls);
    }

    [Fact]
    public async Task Join_twice_and_push_before_join_are_programming_errors()
    {
        await using var fake = new FakeSocket();
        var channel = fake.Socket.Channel("t");
        Assert.Throws<InvalidOperationException>(() => { _ = channel.PushAsync("e"); });
        _ = channel.JoinAsync();
        Assert.Throws<InvalidOperationException>(() => { _ = channel.JoinAsync(); });
    }

    [Fact]
    public async Task The_join_payload_function_is_evaluated_at_every_join()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var joins = 0;
        var channel = fake.Socket.Channel("t", () => new { attempt = ++joins });
        _ = channel.JoinAsync();
        await fake.SyncAsync();
        transport.Receive(Frames.Reply("1", "1", "t", "error"));
        await fake.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(["""["1","1","t","phx_join",{"attempt":1}]""", """["2","2","t","phx_join",{"attempt":2}]"""], transport.Sent);
    }

    [Fact]
    public async Task Local_payload_objects_serialize_with_web_defaults()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("t");
        _ = channel.PushAsync("e", new { UserName = "ann", online_at = 1 });
        _ = channel.PushAsync("raw", Payload.ParseUtf8Json("""{"As":"is"}"""u8.ToArray()));
        await fake.SyncAsync();
        Assert.Equal(
            ["""["1","2","t","e",{"userName":"ann","online_at":1}]""", """["1","3","t","raw",{"As":"is"}]"""],
            transport.Sent.Skip(1));
    }
}
