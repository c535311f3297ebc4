using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>Handshake, connect info and transport-level behaviour over Kestrel's HTTP stack.</summary>
public sealed class WebSocketTransportTests(FixtureServer server) : WebSocketTransportTestsBase(server), IClassFixture<FixtureServer>;

/// <summary>The same handshake and transport behaviour on the direct listener (<c>UseFenixWebSockets</c>): identical on the wire.</summary>
public sealed class DirectWebSocketTransportTests(DirectFixtureServer server) : WebSocketTransportTestsBase(server), IClassFixture<DirectFixtureServer>;

/// <summary>Handshake, connect info and transport-level behaviour (protocol.md §1, §10.1–§10.2).</summary>
public abstract class WebSocketTransportTestsBase(FixtureServer server)
{
    [Fact]
    public async Task Connect_info_carries_headers_peer_and_uri()
    {
        var headers = new Dictionary<string, string>
        {
            ["x-application"] = "Phoenix",
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ["tracestate"] = "congo=t61rcWkgMzE",
            ["User-Agent"] = "foo/1.0",
            ["Sec-WebSocket-Extensions"] = "permessage-deflate; client_max_window_bits=15",
        };
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0", headers: headers);
        var (_, @ref) = await client.JoinAsync("room:info");
        await client.AssertReplyAsync(@ref);
        var info = (await client.AssertEventAsync("joined")).Payload!["connect_info"]!;

        Assert.Equal("Phoenix", info["x_headers"]!["x-application"]!.GetValue<string>());
        Assert.Equal(headers["traceparent"], info["trace_context_headers"]!["traceparent"]!.GetValue<string>());
        Assert.Equal(headers["tracestate"], info["trace_context_headers"]!["tracestate"]!.GetValue<string>());
        Assert.Equal("permessage-deflate; client_max_window_bits=15", info["sec_websocket_headers"]!["sec-websocket-extensions"]!.GetValue<string>());
        Assert.Equal("foo/1.0", info["user_agent"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", info["peer_address"]!.GetValue<string>());
        Assert.True(info["peer_port"]!.GetValue<int>() > 0);
        Assert.Equal("http", info["uri"]!["scheme"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", info["uri"]!["host"]!.GetValue<string>());
        Assert.Equal(server.BaseUri.Port, info["uri"]!["port"]!.GetValue<int>());
        Assert.Equal("/ws/websocket", info["uri"]!["path"]!.GetValue<string>());
        Assert.Equal("vsn=2.0.0", info["uri"]!["query"]!.GetValue<string>());
        Assert.Null(info["x_headers"]!["cookie"]);
    }

    [Fact]
    public async Task Query_and_path_parameters_reach_connect()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws/acme/path", "2.0.0", "key=value&user_id=7");
        var (_, @ref) = await client.JoinAsync("room:params");
        await client.AssertReplyAsync(@ref);
        var joined = (await client.AssertEventAsync("joined")).Payload!;
        Assert.Equal("value", joined["params"]!["key"]!.GetValue<string>());
        Assert.Equal("acme", joined["params"]!["tenant"]!.GetValue<string>());
        Assert.Equal("2.0.0", joined["params"]!["vsn"]!.GetValue<string>());
        Assert.Equal("7", joined["user_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Origins_are_checked_against_the_allow_list()
    {
        await using var allowed = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/origin/websocket?vsn=2.0.0", new Dictionary<string, string> { ["Origin"] = "https://example.com" });
        Assert.Equal(101, allowed.Handshake.Status);
        await using var denied = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/origin/websocket?vsn=2.0.0", new Dictionary<string, string> { ["Origin"] = "http://notallowed.com" });
        Assert.Equal(403, denied.Handshake.Status);
        await using var foreign = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/websocket?vsn=2.0.0", new Dictionary<string, string> { ["Origin"] = "http://evil.example" });
        Assert.Equal(403, foreign.Handshake.Status); // default: the request's own host only
        await using var same = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/websocket?vsn=2.0.0", new Dictionary<string, string> { ["Origin"] = $"http://127.0.0.1:{server.BaseUri.Port}" });
        Assert.Equal(101, same.Handshake.Status);
    }

    [Theory]
    [InlineData("reject=true&vsn=2.0.0", 403)]
    [InlineData("ratelimit=true&vsn=2.0.0", 429)]
    [InlineData("vsn=123.1.1", 403)]
    [InlineData("vsn=2.1.0", 403)]
    [InlineData("vsn=garbage", 403)]
    [InlineData("vsn[]=2.0.0", 101)]
    [InlineData("vsn=%ZZ", 403)]
    [InlineData("", 101)]
    public async Task Connect_refusals_and_version_negotiation(string query, int status)
    {
        await using var socket = await RawWebSocket.ConnectAsync(server.BaseUri, $"/ws/websocket?{query}");
        Assert.Equal(status, socket.Handshake.Status);
    }

    [Fact]
    public async Task A_plain_get_is_a_bad_request_that_names_the_upgrade_header()
    {
        await using var socket = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/websocket?vsn=2.0.0", upgradeHeaders: false);
        Assert.Equal(400, socket.Handshake.Status);
        Assert.Contains("upgrade", socket.Handshake.Body, StringComparison.OrdinalIgnoreCase);

        using var http = new HttpClient();
        var post = await http.PostAsync(new Uri(server.BaseUri, "/ws/websocket"), new StringContent("x"));
        Assert.Equal(400, (int)post.StatusCode);
    }

    [Fact]
    public async Task An_upgrade_request_with_a_body_is_a_bad_request_not_a_busy_server()
    {
        await using var socket = await RawWebSocket.ConnectAsync(
            server.BaseUri, "/ws/websocket?vsn=2.0.0", new Dictionary<string, string> { ["Content-Length"] = "5" });
        Assert.Equal(400, socket.Handshake.Status);
        Assert.Contains("body", socket.Handshake.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subprotocols_are_negotiated_and_the_auth_token_extracted()
    {
        await using var sip = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/sip/websocket?vsn=2.0.0", new Dictionary<string, string> { ["Sec-WebSocket-Protocol"] = "sip" });
        Assert.Equal(101, sip.Handshake.Status);
        Assert.Equal("sip", sip.Handshake.Headers["Sec-WebSocket-Protocol"]);

        await using var none = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/sip/websocket?vsn=2.0.0");
        Assert.Equal(101, none.Handshake.Status);
        Assert.False(none.Handshake.Headers.ContainsKey("Sec-WebSocket-Protocol"));

        await using var mqtt = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/sip/websocket?vsn=2.0.0", new Dictionary<string, string> { ["Sec-WebSocket-Protocol"] = "mqtt" });
        Assert.Equal(403, mqtt.Handshake.Status);

        // What the JS client sends with `authToken`: ["phoenix", "base64url.bearer.phx." + btoa(token) without padding].
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("secret?token")).TrimEnd('=');
        var headers = new Dictionary<string, string> { ["Sec-WebSocket-Protocol"] = $"phoenix, base64url.bearer.phx.{token}" };
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0", headers: headers);
        Assert.Equal("phoenix", client.Socket.Handshake.Headers["Sec-WebSocket-Protocol"]);
        var (_, @ref) = await client.JoinAsync("room:token");
        await client.AssertReplyAsync(@ref);
        Assert.Equal("secret?token", (await client.AssertEventAsync("joined")).Payload!["connect_info"]!["auth_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pings_are_answered_with_pongs_and_traffic_continues()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        await client.Socket.SendFrameAsync(RawFrame.Ping, []);
        var empty = await client.Socket.ReceiveAsync();
        Assert.Equal((RawFrame.Pong, 0), (empty!.Opcode, empty.Payload.Length));
        await client.Socket.SendFrameAsync(RawFrame.Ping, "123"u8.ToArray());
        var pong = await client.Socket.ReceiveAsync();
        Assert.Equal(RawFrame.Pong, pong!.Opcode);
        Assert.Equal("123", pong.Text_);

        var heartbeat = await client.SendAsync("phoenix", "heartbeat", new { }, null);
        await client.AssertReplyAsync(heartbeat);
    }

    [Fact]
    public async Task Idle_connections_are_closed_with_a_code_that_makes_clients_reconnect()
    {
        // No frame from the client: one sent after connecting could lose the race with the 200 ms timeout on a loaded machine.
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws/idle", "2.0.0");

        // Only the idle timeout (200 ms here, swept once a second) closes with 1001 on this route: no timing to check.
        var close = await client.WaitForCloseAsync(Patience.Default);
        Assert.NotNull(close);
        Assert.Equal(1001, close.CloseCode);
    }

    [Fact]
    public async Task Fragmented_messages_are_reassembled()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        var text = Encoding.UTF8.GetBytes(new JsonArray(null, "77", "phoenix", "heartbeat", new JsonObject()).ToJsonString());
        await client.Socket.SendFrameAsync(RawFrame.Text, text[..5], fin: false);
        await client.Socket.SendFrameAsync(RawFrame.Ping, [9]); // control frames may interleave
        await client.Socket.SendFrameAsync(0, text[5..10], fin: false);
        await client.Socket.SendFrameAsync(0, text[10..], fin: true);
        await client.AssertReplyAsync("77");
    }

    [Fact]
    public async Task Clients_that_never_finish_their_headers_are_dropped()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /ws/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        using var cts = new CancellationTokenSource(Patience.Default);
        var buffer = new byte[1024];
        var started = DateTime.UtcNow;
        int read;
        do
        {
            read = await stream.ReadAsync(buffer, cts.Token);
        }
        while (read > 0);

        // Fenix's 2 s, not Kestrel's default 30 s: the bound between them leaves a loaded machine plenty of room.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the server should drop a client stuck in its headers");
    }
}
