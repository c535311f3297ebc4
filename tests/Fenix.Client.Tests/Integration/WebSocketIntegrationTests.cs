using Fenix.Client.Tests.Support;
using Fenix.Protocol;
using Fenix.Testing.Network;
using Microsoft.Extensions.Time.Testing;

namespace Fenix.Client.Tests.Integration;

/// <summary>The client against a real Fenix server over WebSocket on loopback.</summary>
public sealed class WebSocketIntegrationTests
{
    [Fact]
    public async Task Connects_joins_pushes_and_gets_replies()
    {
        await using var server = await TestServer.StartAsync();
        await using var socket = Client(server);
        await socket.ConnectAsync().Within();
        var channel = socket.Channel("room:lobby");

        var joined = await channel.JoinAsync().Within();
        Assert.True(joined.IsOk);
        Assert.Equal("room:lobby", joined.Response.Json.GetProperty("topic").GetString());
        Assert.Equal("ann", joined.Response.Json.GetProperty("user").GetString());

        var reply = await channel.PushAsync("echo", new { body = "hi", n = 1 }).Within();
        Assert.True(reply.IsOk);
        Assert.Equal("""{"body":"hi","n":1}""", reply.Response.ToString());

        var unknown = await channel.PushAsync("nope").Within();
        Assert.True(unknown.IsError);
        Assert.Equal("unknown event", unknown.Response.Json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Broadcasts_reach_every_subscriber()
    {
        await using var server = await TestServer.StartAsync();
        await using var ann = Client(server, "ann");
        await using var bob = Client(server, "bob");
        var annRoom = await JoinAsync(ann, "room:shared");
        var bobRoom = await JoinAsync(bob, "room:shared");
        var annHeard = Wait.Next<Message>();
        var bobHeard = Wait.Next<Message>();
        annRoom.On("shout", annHeard.Signal);
        bobRoom.On("shout", bobHeard.Signal);

        Assert.True((await annRoom.PushAsync("shout", new { body = "hello all" }).Within()).IsOk);

        var atBob = await bobHeard.Task.Within();
        Assert.Equal("""{"body":"hello all"}""", atBob.Payload.ToString());
        Assert.Equal("""{"body":"hello all"}""", (await annHeard.Task.Within()).Payload.ToString());
    }

    [Fact]
    public async Task A_refused_join_reports_the_reason_and_keeps_retrying()
    {
        await using var server = await TestServer.StartAsync();
        await using var socket = Client(server);
        var channel = socket.Channel("room:secret", new { refuse = true });
        socket.Connect();

        var reply = await channel.JoinAsync().Within();
        Assert.True(reply.IsError);
        Assert.Equal("""{"reason":"unauthorized"}""", reply.Response.ToString());
        Assert.Equal(ChannelState.Errored, channel.State);

        await Wait.UntilAsync(() => server.Probe.Joins >= 2, "the rejoin after one second");
        Assert.True((await channel.LeaveAsync().Within()).IsOk);
        Assert.Equal(ChannelState.Closed, channel.State);
    }

    [Fact]
    public async Task A_crashed_server_channel_is_rejoined()
    {
        await using var server = await TestServer.StartAsync();
        await using var socket = Client(server);
        var channel = await JoinAsync(socket, "room:fragile");
        var firstJoinRef = channel.JoinRef;
        var errored = Wait.Next<Payload>();
        var rejoined = Wait.Next<Payload>();
        channel.Errored += errored.Signal;
        channel.Joined += rejoined.Signal;

        _ = channel.PushAsync("crash");

        Assert.Equal("channel_crash", (await errored.Task.Within()).Json.GetProperty("reason").GetString());
        await rejoined.Task.Within();
        Assert.NotEqual(firstJoinRef, channel.JoinRef);
        Assert.True((await channel.PushAsync("echo", new { after = "crash" }).Within()).IsOk);
    }

    [Fact]
    public async Task The_socket_reconnects_and_rejoins_after_a_server_restart_and_flushes_buffered_pushes()
    {
        var port = LoopbackPorts.Reserve(); // the restarted server gets it back: no other test's socket takes it meanwhile
        var first = await TestServer.StartAsync(port);
        await using var socket = Client(first);
        var channel = await JoinAsync(socket, "room:durable");
        var closed = Wait.Next<SocketCloseInfo>();
        socket.Closed += closed.Signal;
        var rejoined = Wait.Next<Payload>();
        channel.Joined += rejoined.Signal;

        // Fenix means to drain with 1012 (service restart); today Kestrel stops first and aborts (1006). Either way: not 1000.
        await first.DisposeAsync();
        Assert.NotEqual(SocketCloseInfo.NormalClosure, (await closed.Task.Within()).Code);
        await Wait.UntilAsync(() => channel.State == ChannelState.Errored, "the channel to notice the lost connection");
        var buffered = channel.PushAsync("echo", new { sent = "while down" }, TimeSpan.FromSeconds(60));

        await using var second = await TestServer.StartAsync(port);
        await rejoined.Task.Within();
        var reply = await buffered.Within(TimeSpan.FromSeconds(60));
        Assert.True(reply.IsOk);
        Assert.Equal("""{"sent":"while down"}""", reply.Response.ToString());
        Assert.Equal(["""{"sent":"while down"}"""], second.Probe.Echoes);
    }

    [Fact]
    public async Task A_push_without_reply_times_out()
    {
        await using var server = await TestServer.StartAsync();
        await using var socket = Client(server);
        var channel = await JoinAsync(socket, "room:quiet");

        var reply = await channel.PushAsync("silent", null, TimeSpan.FromMilliseconds(300)).Within();

        Assert.True(reply.IsTimeout);
        Assert.Equal(ChannelState.Joined, channel.State);
    }

    [Fact]
    public async Task Binary_pushes_and_replies_are_byte_exact()
    {
        await using var server = await TestServer.StartAsync();
        await using var socket = Client(server);
        var channel = await JoinAsync(socket, "room:bytes");
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var reply = await channel.PushAsync("binary_echo", bytes).Within();

        Assert.True(reply.IsOk);
        Assert.True(reply.Response.IsBinary);
        Assert.Equal(bytes.Reverse(), reply.Response.Bytes.ToArray());
    }

    [Fact]
    public async Task Server_pushes_arrive_as_json_or_binary()
    {
        await using var server = await TestServer.StartAsync();
        await using var socket = Client(server);
        var channel = await JoinAsync(socket, "room:pushy");
        var json = Wait.Next<Message>();
        var binary = Wait.Next<Message>();
        channel.On("pushed", json.Signal);
        channel.On("pushed_binary", binary.Signal);

        await channel.PushAsync("push_back", new { x = 1 }).Within();

        var pushed = await json.Task.Within();
        Assert.Equal("""{"x":1}""", pushed.Payload.ToString());
        Assert.Equal(channel.JoinRef, pushed.JoinRef);
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, (await binary.Task.Within()).Payload.Bytes.ToArray());
    }

    [Fact]
    public async Task Heartbeats_are_answered_and_keep_the_connection()
    {
        await using var server = await TestServer.StartAsync();
        var replies = 0;

        // A heartbeat still unanswered when the next is due closes the connection (as in phoenix.js). The client's clock
        // is the test's: the next heartbeat is due only once the test saw the last one answered, however slow the machine.
        var time = new FakeTimeProvider();
        var interval = TimeSpan.FromSeconds(30);
        await using var socket = Client(server, configure: o => (o.HeartbeatInterval, o.TimeProvider) = (interval, time));
        var closes = 0;
        socket.Closed += _ => Interlocked.Increment(ref closes);
        socket.MessageReceived += message =>
        {
            if (message.Topic == PhoenixEvents.PhoenixTopic && message.Event == PhoenixEvents.Reply)
            {
                Interlocked.Increment(ref replies);
            }
        };
        await socket.ConnectAsync().Within();

        for (var beat = 1; beat <= 3; beat++)
        {
            time.Advance(interval);
            await Wait.UntilAsync(() => Volatile.Read(ref replies) >= beat, $"heartbeat reply {beat}");
        }

        Assert.Equal(0, Volatile.Read(ref closes));
        Assert.True(await socket.PingAsync().Within() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task A_refused_connection_is_reported_and_retried()
    {
        await using var server = await TestServer.StartAsync();
        var errors = new List<Exception>();
        await using var socket = Client(server, configure: o => o.Params = () => new { reject = true });
        socket.Error += e =>
        {
            lock (errors)
            {
                errors.Add(e);
            }
        };

        socket.Connect();
        await Wait.UntilAsync(() => { lock (errors) { return errors.Count >= 2; } }, "two refused attempts");
        lock (errors)
        {
            Assert.Equal(403, Assert.IsType<TransportException>(errors[0]).Status);
        }

        Assert.False(socket.IsConnected);
    }

    [Fact]
    public async Task Leaving_closes_the_channel_after_the_server_confirms()
    {
        await using var server = await TestServer.StartAsync();
        await using var socket = Client(server);
        var channel = await JoinAsync(socket, "room:door");

        var reply = await channel.LeaveAsync().Within();

        Assert.True(reply.IsOk);
        Assert.Equal(ChannelState.Closed, channel.State);
        var again = await JoinAsync(socket, "room:door");
        Assert.Equal(ChannelState.Joined, again.State);
    }

    [Fact]
    public async Task Presence_follows_the_state_and_diffs_of_the_server()
    {
        await using var server = await TestServer.StartAsync();
        await using var socket = Client(server);
        var channel = socket.Channel("presence:lobby");
        var presence = new Presence(channel);
        var synced = Wait.Next<bool>();
        presence.Synced += () => synced.Signal(true);
        socket.Connect();
        await channel.JoinAsync().Within();
        await synced.Task.Within();
        Assert.Equal(["alice", "bob"], presence.State.Keys);

        var resynced = Wait.Next<bool>();
        presence.Synced += () => resynced.Signal(true);
        await channel.PushAsync("diff", Payload.ParseUtf8Json("""
            {"joins":  {"carol":{"metas":[{"online_at":"1700000100","phx_ref":"F8Qz3Ccc9w8AAAAV"}]}},
             "leaves": {"bob":  {"metas":[{"device":"phone","phx_ref":"F8Qz2Aaa9w8AAAAT"}]}}}
            """u8.ToArray())).Within();
        await resynced.Task.Within();

        Assert.Equal(["alice", "bob", "carol"], presence.State.Keys);
        Assert.Equal(["laptop"], presence.List((key, p) => key == "bob" ? (string?)PresenceState.MetasOf(p)[0]!["device"] : null).OfType<string>());
    }

    [Fact]
    public async Task The_auth_token_reaches_the_server_through_the_subprotocol()
    {
        await using var server = await TestServer.StartAsync();
        // Its Base64 ("Pz4/Pj8+") holds a '/', which ClientWebSocket refuses in a subprotocol name.
        const string token = "?>?>?>";
        await using var socket = Client(server, configure: o => o.AuthToken = () => token);
        var channel = await JoinAsync(socket, "room:auth");
        var reply = await channel.PushAsync("whoami").Within();
        Assert.Equal(token, reply.Response.Json.GetProperty("auth_token").GetString());
    }

    internal static Socket Client(TestServer server, string user = "ann", Action<SocketOptions>? configure = null)
    {
        var options = new SocketOptions { Params = () => new { user } };
        configure?.Invoke(options);
        return new Socket(server.Endpoint, options);
    }

    internal static async Task<Channel> JoinAsync(Socket socket, string topic)
    {
        socket.Connect();
        var channel = socket.Channel(topic);
        Assert.True((await channel.JoinAsync().Within()).IsOk);
        return channel;
    }
}
