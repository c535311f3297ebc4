using System.Net.Sockets;
using System.Text;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>
/// What only the direct listener (<c>UseFenixWebSockets</c>) has: WebSockets served below the HTTP stack, everything
/// else on the same port served by the HTTP stack, connections handed over with their bytes intact.
/// (The handshake, bad-input, authentication, JS-client and model tests run against it as variants of their classes.)
/// </summary>
public sealed class DirectWebSocketTests(DirectFixtureServer server) : IClassFixture<DirectFixtureServer>
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    [Fact]
    public async Task WebSockets_are_served_below_the_http_stack()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0", "id=direct-proof");
        var (_, @ref) = await client.JoinAsync("room:direct");
        await client.AssertReplyAsync(@ref);
        Assert.Contains(server.Logs.Entries, entry => entry.EventId.Id == 1001 && entry.Message.Contains("HTTP/1.1 (direct)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Other_requests_on_the_same_port_are_served_by_the_http_stack()
    {
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        Assert.Equal(200, (int)(await http.GetAsync("/login?name=ann")).StatusCode);
        Assert.Equal(404, (int)(await http.GetAsync("/nothing-here")).StatusCode);

        using var longPoll = new LongPollTestClient(server.BaseUri, "/ws");
        Assert.Equal(410, (await longPoll.OpenAsync()).Status);
        var post = await longPoll.PostAsync(["[\"1\",\"1\",\"room:direct-lp\",\"phx_join\",{}]"]);
        Assert.Equal(200, post.Status);
        var messages = await longPoll.PollMessagesAsync(atLeast: 1);
        Assert.Equal(("phx_reply", "ok"), (messages[0].Event, messages[0].Status));
    }

    [Fact]
    public async Task A_connection_whose_first_request_is_not_an_upgrade_stays_on_the_http_stack()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await SendAsync(stream, "GET /login?name=bob HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(stream), StringComparison.Ordinal);

        // A later upgrade on the same connection is Kestrel's request: the normal endpoint answers it.
        await SendAsync(stream, Upgrade("/ws/websocket?vsn=2.0.0"));
        Assert.StartsWith("HTTP/1.1 101", await ReadHeadAsync(stream), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connect_is_answered_and_the_connection_serves_the_next_request()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await SendAsync(stream, Upgrade("/ws/websocket?vsn=2.0.0&reject=true"));
        var refusal = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nDate: ", refusal, StringComparison.Ordinal);

        await SendAsync(stream, "GET /login?name=carl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(stream), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Frames_sent_with_the_handshake_are_not_lost()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        var join = RawWebSocket.Encode(RawFrame.Text, Encoding.UTF8.GetBytes("[\"1\",\"1\",\"room:pipelined\",\"phx_join\",{}]"));
        var heartbeat = RawWebSocket.Encode(RawFrame.Text, Encoding.UTF8.GetBytes("[null,\"2\",\"phoenix\",\"heartbeat\",{}]"));
        await stream.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes(Upgrade("/ws/websocket?vsn=2.0.0")), .. join, .. heartbeat]);
        Assert.StartsWith("HTTP/1.1 101", await ReadHeadAsync(stream), StringComparison.Ordinal);

        var received = new StringBuilder();
        using var timeout = new CancellationTokenSource(Patience.Default);
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\"2\",\"phoenix\",\"phx_reply\"", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, $"the connection ended; received: {received}");
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        Assert.Contains("[\"1\",\"1\",\"room:pipelined\",\"phx_reply\",{\"status\":\"ok\"", received.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Routes_that_require_authorization_stay_on_the_http_stack()
    {
        await using var socket = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/guarded/websocket?vsn=2.0.0");
        Assert.False(socket.IsOpen); // the authorization middleware ran: anonymous users are challenged
        Assert.Contains(server.Logs.Entries, entry => entry.EventId.Id == 1013 && entry.Level == LogLevel.Warning
            && entry.Message.Contains("/ws/guarded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requests_it_does_not_parse_reach_kestrel_intact()
    {
        // A percent-escaped path and a folded header line: the direct listener leaves both to Kestrel's parser.
        await using var escaped = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/%77ebsocket?vsn=2.0.0");
        Assert.Equal(101, escaped.Handshake.Status);

        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await SendAsync(stream, "GET /ws/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", await ReadHeadAsync(stream), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_head_with_bare_line_feeds_is_left_to_kestrel_which_accepts_it()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await SendAsync(stream, Upgrade("/ws/websocket?vsn=2.0.0").Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.StartsWith("HTTP/1.1 101", await ReadHeadAsync(stream), StringComparison.Ordinal);
    }

    private static string Upgrade(string target) =>
        $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {Key}\r\n\r\n";

    private async Task<TcpClient> ConnectAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
        return tcp;
    }

    private static Task SendAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    /// <summary>Reads one response head and its Content-Length body, byte by byte (nothing after it is consumed).</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(Patience.Default);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await stream.ReadAsync(one, timeout.Token));
            head.Append((char)one[0]);
        }

        var text = head.ToString();
        var lengthLine = text.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, timeout.Token);
        return text;
    }
}
