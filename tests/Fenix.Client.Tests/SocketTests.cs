using Fenix.Client.Tests.Support;

namespace Fenix.Client.Tests;

/// <summary>The socket's connection state machine on a fake transport and a manual clock.</summary>
public sealed class SocketTests
{
    [Fact]
    public async Task Refs_are_decimal_strings_and_the_join_ref_is_the_join_messages_ref()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = fake.Socket.Channel("room:lobby", new { user = "ann" });
        _ = channel.JoinAsync();
        await fake.SyncAsync();
        transport.Receive(Frames.Reply("1", "1", "room:lobby", "ok"));
        await fake.SyncAsync();
        _ = channel.PushAsync("new_msg", new { body = "hi" });
        await fake.SyncAsync();

        Assert.Equal(
            ["""["1","1","room:lobby","phx_join",{"user":"ann"}]""", """["1","2","room:lobby","new_msg",{"body":"hi"}]"""],
            transport.Sent);
    }

    [Fact]
    public async Task Connect_url_evaluates_params_at_every_connect_and_ends_with_vsn()
    {
        var connects = 0;
        await using var fake = new FakeSocket(o => o.Params = () => new { token = $"t{++connects}" });
        var first = await fake.ConnectAsync();
        first.ServerClose(1011);
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));

        Assert.Equal("ws://example.test/socket/websocket?token=t1&vsn=2.0.0", first.Request.Url.ToString());
        Assert.Equal("ws://example.test/socket/websocket?token=t2&vsn=2.0.0", fake.Current.Request.Url.ToString());
    }

    [Fact]
    public async Task Heartbeats_go_out_every_interval_after_the_previous_reply()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();

        await fake.AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.Empty(transport.Sent);
        await fake.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["""[null,"1","phoenix","heartbeat",{}]"""], transport.Sent);

        transport.Receive(Frames.Reply(null, "1", "phoenix", "ok"));
        await fake.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("""[null,"2","phoenix","heartbeat",{}]""", transport.Sent[^1]);
        Assert.Null(transport.ClosedWith);
    }

    [Fact]
    public async Task A_missed_heartbeat_closes_with_1000_errors_channels_and_reconnects()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        var errored = Wait.Next<string>();
        channel.Errored += payload => errored.Signal(payload.ToString());

        await fake.AdvanceAsync(TimeSpan.FromSeconds(30)); // heartbeat sent
        await fake.AdvanceAsync(TimeSpan.FromSeconds(30)); // no reply

        Assert.Equal((1000, "heartbeat timeout"), transport.ClosedWith!.Value);
        Assert.Equal("""{"source":"transport","reason":"heartbeat_timeout"}""", await errored.Task.Within());
        Assert.Equal(ChannelState.Errored, channel.State);

        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        Assert.Equal(2, fake.Transports.Count);
        fake.Current.Open();
        await fake.SyncAsync();
        Assert.Equal("""["3","3","room:a","phx_join",{}]""", fake.Current.Sent[0]);
    }

    [Fact]
    public async Task Reconnect_follows_the_backoff_schedule_and_resets_after_an_open()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        transport.ServerClose(1011);
        foreach (var delay in new[] { 10, 50, 100, 150 })
        {
            await fake.AdvanceAsync(TimeSpan.FromMilliseconds(delay - 1));
            var count = fake.Transports.Count;
            await fake.AdvanceAsync(TimeSpan.FromMilliseconds(1));
            Assert.Equal(count + 1, fake.Transports.Count);
            fake.Current.Fail();
            await fake.SyncAsync();
        }

        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(200));
        fake.Current.Open();
        await fake.SyncAsync();
        Assert.True(fake.Socket.IsConnected);
        fake.Current.ServerClose(1001);
        var before = fake.Transports.Count;
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        Assert.Equal(before + 1, fake.Transports.Count);
    }

    [Fact]
    public async Task A_normal_close_from_the_server_does_not_reconnect()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var closed = Wait.Next<SocketCloseInfo>();
        fake.Socket.Closed += closed.Signal;

        transport.ServerClose(1000, "bye");
        Assert.Equal(new SocketCloseInfo(1000, "bye", true), await closed.Task.Within());
        await fake.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Single(fake.Transports);
        Assert.Equal(ConnectionState.Closed, fake.Socket.State);

        fake.Socket.Connect();
        await fake.SyncAsync();
        Assert.Equal(2, fake.Transports.Count);
    }

    [Fact]
    public async Task A_normal_close_can_be_reconnected_on_request()
    {
        await using var fake = new FakeSocket(o => o.ReconnectOnNormalClosure = true);
        var transport = await fake.ConnectAsync();
        transport.ServerClose(1000);
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        Assert.Equal(2, fake.Transports.Count);
    }

    [Fact]
    public async Task Disconnect_closes_with_1000_stops_reconnecting_and_a_later_connect_rejoins()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");

        await fake.Socket.DisconnectAsync().Within();
        Assert.Equal((1000, (string?)null), transport.ClosedWith!.Value);
        Assert.Equal(ChannelState.Errored, channel.State);
        await fake.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Single(fake.Transports);

        await fake.ConnectAsync();
        Assert.Equal(ChannelState.Joining, channel.State);
        Assert.Equal("""["2","2","room:a","phx_join",{}]""", fake.Current.Sent.Single());
    }

    [Fact]
    public async Task Messages_sent_while_connecting_are_flushed_in_order_on_open()
    {
        await using var fake = new FakeSocket();
        fake.Socket.Connect();
        var a = fake.Socket.Channel("a");
        var b = fake.Socket.Channel("b");
        _ = a.JoinAsync();
        _ = b.JoinAsync();
        await fake.SyncAsync();
        Assert.Empty(fake.Current.Sent);

        fake.Current.Open();
        await fake.SyncAsync();
        Assert.Equal(["""["1","1","a","phx_join",{}]""", """["2","2","b","phx_join",{}]"""], fake.Current.Sent);
    }

    [Fact]
    public async Task Connect_async_completes_on_open()
    {
        await using var fake = new FakeSocket();
        var connecting = fake.Socket.ConnectAsync();
        await fake.SyncAsync();
        Assert.False(connecting.IsCompleted);
        Assert.Equal(ConnectionState.Connecting, fake.Socket.State);
        fake.Current.Open();
        await connecting.Within();
        Assert.Equal(ConnectionState.Open, fake.Socket.State);
    }

    [Fact]
    public async Task Ping_measures_the_heartbeat_round_trip()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var ping = fake.Socket.PingAsync();
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(42));
        Assert.Equal("""[null,"1","phoenix","heartbeat",{}]""", transport.Sent.Single());
        transport.Receive(Frames.Reply(null, "1", "phoenix", "ok"));
        Assert.Equal(TimeSpan.FromMilliseconds(42), await ping.Within());
    }

    [Fact]
    public async Task Ping_fails_when_not_connected()
    {
        await using var fake = new FakeSocket();
        await Assert.ThrowsAsync<InvalidOperationException>(() => fake.Socket.PingAsync());
    }

    [Fact]
    public async Task Long_poll_connections_send_no_heartbeats()
    {
        await using var fake = new FakeSocket(o => o.Transport = TransportKind.LongPoll);
        var transport = await fake.ConnectAsync();
        await fake.AdvanceAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(TransportKind.LongPoll, transport.Kind);
        Assert.Empty(transport.Sent);
    }

    [Fact]
    public async Task A_throwing_handler_does_not_break_the_socket()
    {
        await using var fake = new FakeSocket();
        fake.Socket.Opened += () => throw new InvalidOperationException("user bug");
        var channel = fake.Socket.Channel("room:a");
        channel.On("news", _ => throw new InvalidOperationException("user bug"));
        var joined = channel.JoinAsync();
        var transport = await fake.ConnectAsync();
        transport.Receive(Frames.Reply("1", "1", "room:a", "ok"));
        Assert.True((await joined.Within()).IsOk);
        transport.Receive(Frames.Push("1", "room:a", "news"));
        await fake.SyncAsync();
        Assert.Equal(ChannelState.Joined, channel.State);
    }

    [Fact]
    public async Task Frames_of_a_replaced_transport_are_ignored()
    {
        await using var fake = new FakeSocket();
        var old = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        var received = 0;
        channel.On("news", _ => received++);
        old.ServerClose(1012);
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        old.Receive(Frames.Broadcast("room:a", "news"));
        await fake.SyncAsync();
        Assert.Equal(0, received);
    }

    [Fact]
    public async Task The_auth_token_is_evaluated_per_connect_and_handed_to_the_transport()
    {
        await using var fake = new FakeSocket(o => o.AuthToken = () => "secret");
        var transport = await fake.ConnectAsync();
        Assert.Equal("secret", transport.Request.AuthToken);
    }
}
