using System.Net;
using System.Net.WebSockets;
using System.Text;
using Fenix.AspNetCore.Transports;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>
/// WebSockets over HTTP/2 (RFC 8441 extended CONNECT), as browsers open them on HTTPS pages: the handshake's own rules,
/// and everything after it exactly as over HTTP/1.1 — origin check, subprotocols and the auth token, refusals, idle
/// timeout, connection limits, close codes. Several WebSockets share one TCP connection here, so one client's bad input
/// must not touch its neighbours on that connection.
/// </summary>
public sealed class Http2WebSocketTests(TlsFixtureServer server) : IClassFixture<TlsFixtureServer>
{
    [Fact]
    public async Task A_websocket_opens_as_an_extended_connect_and_serves_channels()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0", "user_id=42", http2: true);
        Assert.Equal(200, client.Socket.Handshake.Status);
        Assert.False(client.Socket.Handshake.Headers.ContainsKey("Sec-WebSocket-Accept")); // no key, no accept over HTTP/2

        var (joinRef, @ref) = await client.JoinAsync("room:h2");
        await client.AssertReplyAsync(@ref);
        var joined = (await client.AssertEventAsync("joined")).Payload!;
        Assert.Equal("HTTP/2", joined["connect_info"]!["http_protocol"]!.GetValue<string>());
        Assert.Equal("https", joined["connect_info"]!["uri"]!["scheme"]!.GetValue<string>());
        Assert.Equal("42", joined["user_id"]!.GetValue<string>());

        var push = await client.SendAsync("room:h2", "ping", new { n = 1 }, joinRef);
        Assert.Equal(1, (await client.AssertReplyAsync(push)).Response!["n"]!.GetValue<int>());
        server.Broadcaster.Broadcast("room:h2", "news", new { text = "over h2" });
        Assert.Equal("over h2", (await client.AssertEventAsync("news")).Payload!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_server_still_speaks_http11_websockets_over_tls()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        Assert.Equal(101, client.Socket.Handshake.Status);
        var (_, @ref) = await client.JoinAsync("room:h1-over-tls");
        await client.AssertReplyAsync(@ref);
        Assert.Equal("HTTP/1.1", (await client.AssertEventAsync("joined")).Payload!["connect_info"]!["http_protocol"]!.GetValue<string>());
    }

    [Fact]
    public async Task Origins_are_checked_against_the_allow_list()
    {
        Assert.Equal(200, await StatusAsync("/ws/origin/websocket?vsn=2.0.0", ("Origin", "https://example.com")));
        Assert.Equal(403, await StatusAsync("/ws/origin/websocket?vsn=2.0.0", ("Origin", "http://notallowed.com")));
        Assert.Equal(403, await StatusAsync("/ws/websocket?vsn=2.0.0", ("Origin", "https://evil.example"))); // default: own host only
        Assert.Equal(200, await StatusAsync("/ws/websocket?vsn=2.0.0", ("Origin", $"https://127.0.0.1:{server.BaseUri.Port}")));
    }

    [Theory]
    [InlineData("reject=true&vsn=2.0.0", 403)]
    [InlineData("ratelimit=true&vsn=2.0.0", 429)]
    [InlineData("vsn=123.1.1", 403)]
    [InlineData("vsn=garbage", 403)]
    [InlineData("", 200)]
    public async Task Connect_refusals_and_version_negotiation(string query, int status)
    {
        Assert.Equal(status, await StatusAsync($"/ws/websocket?{query}"));
    }

    [Fact]
    public async Task Subprotocols_are_negotiated_and_the_auth_token_extracted()
    {
        await using var sip = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/sip/websocket?vsn=2.0.0", Headers(("Sec-WebSocket-Protocol", "sip")), http2: true);
        Assert.Equal(200, sip.Handshake.Status);
        Assert.Equal("sip", sip.Handshake.Headers["Sec-WebSocket-Protocol"]);
        Assert.Equal(403, await StatusAsync("/ws/sip/websocket?vsn=2.0.0", ("Sec-WebSocket-Protocol", "mqtt")));

        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("secret?token")).TrimEnd('=');
        await using var client = await PhoenixTestClient.ConnectAsync(
            server.BaseUri, "/ws", "2.0.0", headers: Headers(("Sec-WebSocket-Protocol", $"phoenix, base64url.bearer.phx.{token}")), http2: true);
        Assert.Equal("phoenix", client.Socket.Handshake.Headers["Sec-WebSocket-Protocol"]);
        var (_, @ref) = await client.JoinAsync("room:h2-token");
        await client.AssertReplyAsync(@ref);
        Assert.Equal("secret?token", (await client.AssertEventAsync("joined")).Payload!["connect_info"]!["auth_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_handshakes_over_http2_are_bad_requests_that_say_why()
    {
        await using var version = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/websocket?vsn=2.0.0", Headers(("Sec-WebSocket-Version", "8")), http2: true);
        Assert.Equal(400, version.Handshake.Status);
        Assert.Contains("sec-websocket-version", version.Handshake.Body, StringComparison.Ordinal);

        using var http = Http2Invoker();
        using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, "/ws/websocket?vsn=2.0.0"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await http.SendAsync(get, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("upgrade", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Idle_connections_are_closed_with_1001()
    {
        // No frame from the client: one sent after connecting could lose the race with the 200 ms timeout on a loaded machine.
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws/idle", "2.0.0", http2: true);
        Assert.Equal(1001, (await client.WaitForCloseAsync(Patience.Default))?.CloseCode);
    }

    [Fact]
    public async Task Websockets_sharing_one_http2_connection_are_independent()
    {
        using var invoker = Http2Invoker();
        using var good = await OpenClientWebSocketAsync(invoker, "/ws/small/websocket?vsn=2.0.0");
        using var bad = await OpenClientWebSocketAsync(invoker, "/ws/small/websocket?vsn=2.0.0");
        using var other = await OpenClientWebSocketAsync(invoker, "/ws/small/websocket?vsn=2.0.0");

        // One stream sends a message over the 1 KB limit (1009), another invalid UTF-8 (1007)...
        await bad.SendAsync(new byte[2000], WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        await other.SendAsync(new byte[] { 0x5B, 0xC3, 0x28 }, WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken); // valid: binary
        await other.SendAsync("[null,\"1\",\"phoenix\",\"heartbeat\",{\"x\":\"é\"}]"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        Assert.Equal((WebSocketCloseStatus)1009, await ReceiveCloseAsync(bad));

        // ...and the stream next to them on the same TCP connection carries on.
        await good.SendAsync("[null,\"9\",\"phoenix\",\"heartbeat\",{}]"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        Assert.Contains("\"9\"", await ReceiveTextAsync(good), StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, good.State);
    }

    [Fact]
    public async Task A_client_websocket_over_http2_sees_the_close_codes_of_http11()
    {
        using var invoker = Http2Invoker();
        using var utf8 = await OpenClientWebSocketAsync(invoker, "/ws/websocket?vsn=2.0.0");
        await utf8.SendAsync(new byte[] { 0x5B, 0xC3, 0x28, 0x5D }, WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken); // a V2 binary kind 0x5B: 1011
        Assert.Equal((WebSocketCloseStatus)1011, await ReceiveCloseAsync(utf8));

        using var idle = await OpenClientWebSocketAsync(invoker, "/ws/idle/websocket?vsn=2.0.0");
        Assert.Equal((WebSocketCloseStatus)1001, await ReceiveCloseAsync(idle));
        Assert.Equal("idle timeout", idle.CloseStatusDescription);

        using var polite = await OpenClientWebSocketAsync(invoker, "/ws/websocket?vsn=2.0.0");
        await polite.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, polite.CloseStatus); // the server echoed the close
    }

    [Fact]
    public async Task The_websocket_limit_holds_over_http2_too()
    {
        await using var limited = new LimitedTlsServer();
        await limited.InitializeAsync();
        await using var first = await PhoenixTestClient.ConnectAsync(limited.BaseUri, "/ws", "2.0.0", http2: true);
        await using var second = await PhoenixTestClient.ConnectAsync(limited.BaseUri, "/ws", "2.0.0", http2: true);

        await using var third = await RawWebSocket.ConnectAsync(limited.BaseUri, "/ws/websocket?vsn=2.0.0", http2: true);
        Assert.Equal(503, third.Handshake.Status);

        await first.Socket.SendCloseAsync();
        Assert.Equal(1000, (await first.WaitForCloseAsync(Patience.Default))?.CloseCode);
        var registry = limited.Services.GetRequiredService<ConnectionRegistry>();
        var deadline = DateTime.UtcNow + Patience.Default;
        while (registry.WebSocketCount > 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken); // waiting for a condition, not asserting an absence
        }

        await using var fourth = await RawWebSocket.ConnectAsync(limited.BaseUri, "/ws/websocket?vsn=2.0.0", http2: true);
        Assert.Equal(200, fourth.Handshake.Status);
    }

    private static Dictionary<string, string> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => h.Value);

    private async Task<int> StatusAsync(string pathAndQuery, params (string Name, string Value)[] headers)
    {
        await using var socket = await RawWebSocket.ConnectAsync(server.BaseUri, pathAndQuery, Headers(headers), http2: true);
        return socket.Handshake.Status;
    }

    private static HttpMessageInvoker Http2Invoker() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => TestCertificate.IsOurs(certificate) },
    });

    private async Task<ClientWebSocket> OpenClientWebSocketAsync(HttpMessageInvoker invoker, string pathAndQuery)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(new Uri(server.BaseUri, pathAndQuery)) { Scheme = "wss" }.Uri;
        await socket.ConnectAsync(uri, invoker, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode);
        return socket;
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Patience.Default);
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task<WebSocketCloseStatus?> ReceiveCloseAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Patience.Default);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result.CloseStatus;
            }
        }
    }

    /// <summary>A TLS fixture that allows two WebSockets at a time.</summary>
    private sealed class LimitedTlsServer() : FixtureServer(tls: true, kestrel => kestrel.Limits.MaxConcurrentUpgradedConnections = 2);
}
