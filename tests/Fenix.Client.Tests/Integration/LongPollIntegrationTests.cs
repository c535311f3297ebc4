using System.Net;
using Fenix.Client.Tests.Support;
using Fenix.Protocol;
using Fenix.Testing.Network;

namespace Fenix.Client.Tests.Integration;

/// <summary>
/// The client against a real Fenix server over long poll (protocol.md §5). Each test skips itself while the server
/// has no long-poll endpoint (404), so the suite runs as soon as the server transport lands.
/// </summary>
public sealed class LongPollIntegrationTests
{
    [Fact]
    public async Task Connects_joins_pushes_and_receives_broadcasts_over_long_poll()
    {
        await using var server = await StartAsync();
        await using var socket = Client(server);
        await socket.ConnectAsync().Within();
        Assert.Equal(TransportKind.LongPoll, socket.Transport);
        var channel = socket.Channel("room:lp");
        var shout = Wait.Next<Message>();
        channel.On("shout", shout.Signal);

        Assert.True((await channel.JoinAsync().Within()).IsOk);
        var echo = await channel.PushAsync("echo", new { body = "over http" }).Within();
        Assert.Equal("""{"body":"over http"}""", echo.Response.ToString());
        Assert.True((await channel.PushAsync("shout", new { all = true }).Within()).IsOk);
        Assert.Equal("""{"all":true}""", (await shout.Task.Within()).Payload.ToString());
    }

    [Fact]
    public async Task Binary_pushes_travel_as_base64_lines()
    {
        await using var server = await StartAsync();
        await using var socket = Client(server);
        socket.Connect();
        var channel = socket.Channel("room:lp-bytes");
        await channel.JoinAsync().Within();

        var reply = await channel.PushAsync("binary_info", new byte[] { 0, 1, 2, 253, 254, 255 }).Within();

        Assert.True(reply.Response.Json.GetProperty("binary").GetBoolean());
        Assert.Equal("000102FDFEFF", reply.Response.Json.GetProperty("hex").GetString());
    }

    [Fact]
    public async Task Many_pushes_at_once_are_split_into_batches_and_all_answered()
    {
        await using var server = await StartAsync();
        await using var socket = Client(server);
        socket.Connect();
        var channel = socket.Channel("room:lp-many");
        await channel.JoinAsync().Within();

        var replies = await Task.WhenAll(Enumerable.Range(0, 250).Select(i => channel.PushAsync("echo", new { i }, TimeSpan.FromSeconds(60)))).Within();

        Assert.All(replies, reply => Assert.True(reply.IsOk));
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $$"""{"i":{{i}}}"""), replies.Select(r => r.Response.ToString()));
    }

    [Fact]
    public async Task The_auth_token_reaches_the_server_in_its_header()
    {
        await using var server = await StartAsync();
        await using var socket = WebSocketIntegrationTests.Client(server, configure: o =>
        {
            o.Transport = TransportKind.LongPoll;
            o.AuthToken = () => "?>?>?>";
        });
        socket.Connect();
        var channel = socket.Channel("room:lp-auth");
        await channel.JoinAsync().Within();

        var reply = await channel.PushAsync("whoami").Within();

        Assert.Equal("?>?>?>", reply.Response.Json.GetProperty("auth_token").GetString());
    }

    [Fact]
    public async Task A_blocked_websocket_falls_back_to_long_poll()
    {
        await using var server = await StartAsync(webSocket: false);
        await using var socket = WebSocketIntegrationTests.Client(server, configure: o => o.LongPollFallback = TimeSpan.FromSeconds(5));
        var channel = socket.Channel("room:fallback");
        socket.Connect();

        Assert.True((await channel.JoinAsync().Within()).IsOk);
        Assert.Equal(TransportKind.LongPoll, socket.Transport);
        Assert.True((await channel.PushAsync("echo", new { via = "fallback" }).Within()).IsOk);
    }

    [Fact]
    public async Task A_lost_session_reconnects_and_rejoins()
    {
        var port = LoopbackPorts.Reserve(); // the restarted server gets it back: no other test's socket takes it meanwhile
        var first = await StartAsync(port);
        await using var socket = Client(first);
        socket.Connect();
        var channel = socket.Channel("room:lp-durable");
        await channel.JoinAsync().Within();
        var rejoined = Wait.Next<Payload>();
        channel.Joined += rejoined.Signal;

        await first.DisposeAsync();
        await using var second = await StartAsync(port);

        await rejoined.Task.Within();
        Assert.True((await channel.PushAsync("echo", new { after = "restart" }).Within()).IsOk);
    }

    private static Socket Client(TestServer server) =>
        WebSocketIntegrationTests.Client(server, configure: o => o.Transport = TransportKind.LongPoll);

    private static async Task<TestServer> StartAsync(int port = 0, bool webSocket = true)
    {
        var server = await TestServer.StartAsync(port, mount: options =>
        {
            options.LongPoll.Enabled = true;
            options.WebSocket.Enabled = webSocket;
        });
        using var http = new HttpClient();
        using var probe = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/socket/longpoll?vsn=2.0.0"));
        if (probe.StatusCode == HttpStatusCode.NotFound)
        {
            await server.DisposeAsync();
            Assert.Skip("server LongPoll transport not yet available");
        }

        return server;
    }
}
