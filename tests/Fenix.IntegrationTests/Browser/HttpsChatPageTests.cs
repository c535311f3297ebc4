using System.Text.Json;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>
/// The Chat sample served over HTTPS, as a new user deploys it (<c>--urls https://…</c> and a certificate), in real
/// Chromium: the page comes over HTTP/2, so Chromium opens the WebSocket as an HTTP/2 extended CONNECT (RFC 8441) on the
/// same connection. Each test starts its own server process with a throwaway self-signed certificate.
/// </summary>
public sealed class HttpsChatPageTests(BrowserFixture browsers) : IClassFixture<BrowserFixture>
{
    /// <summary>The official client on the page with no long-poll fallback: it either gets its WebSocket or fails.</summary>
    private const string OfficialClientScript = """
        async ({ user, body }) => {
          const { Socket } = await import("/vendor/phoenix.mjs");
          const socket = new Socket("/socket", { params: { user } });
          const opened = new Promise((resolve, reject) => { socket.onOpen(resolve); socket.onError(reject); });
          socket.connect();
          await opened;
          const channel = socket.channel("rooms:lobby", {});
          const joined = await new Promise((resolve, reject) =>
            channel.join().receive("ok", resolve).receive("error", reject).receive("timeout", () => reject("join timeout")));
          const echoed = new Promise(resolve => channel.on("new_msg", resolve));
          const pong = await new Promise((resolve, reject) =>
            channel.push("ping", { n: 7 }).receive("ok", resolve).receive("error", reject).receive("timeout", () => reject("ping timeout")));
          channel.push("new_msg", { body });
          const message = await echoed;
          const result = {
            transport: socket.transport === WebSocket ? "websocket" : String(socket.transport && socket.transport.name),
            connected: socket.isConnected(),
            joined: JSON.stringify(joined),
            pong: pong.n,
            message: message.body,
            from: message.user,
          };
          socket.disconnect();
          return result;
        }
        """;

    [Fact]
    public async Task The_chat_page_over_https_chats_over_an_http2_websocket()
    {
        // Debug logs of Fenix.Socket say which transport and HTTP version each connection used.
        await using var chat = await ServerProcess.StartHttpsAsync("Chat", "--Logging:LogLevel:Fenix.Socket", "Debug");
        var ann = await OpenAsAsync(chat, "ann");
        var bob = await OpenAsAsync(chat, "bob");
        Assert.Equal("h2", await ann.EvaluateAsync<string>("performance.getEntriesByType('navigation')[0].nextHopProtocol"));

        await ann.FillAsync("#body", "hello over h2");
        await ann.ClickAsync("#send");
        await Assertions.Expect(bob.Locator("#messages li", new() { HasText = "hello over h2" })).ToBeVisibleAsync();
        await Assertions.Expect(ann.Locator("#online li[data-user='bob']")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(bob, "chat-https-bob.png");

        // Both pages connected with WebSockets over HTTP/2: not with the page's long-poll fallback.
        var connected = chat.Output.Split('\n').Where(line => line.Contains("Connected websocket socket UserSocket", StringComparison.Ordinal)).ToList();
        Assert.True(connected.Count >= 2, $"expected two WebSocket connections in the server log:\n{chat.Output}");
        Assert.All(connected, line => Assert.EndsWith("over HTTP/2", line.TrimEnd(), StringComparison.Ordinal));
        Assert.DoesNotContain("Connected longpoll", chat.Output, StringComparison.Ordinal);
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task The_official_client_works_against_a_server_that_speaks_only_http2()
    {
        // Kestrel offers nothing but h2: whatever works here went over HTTP/2.
        await using var chat = await ServerProcess.StartHttpsAsync("Chat", "--Kestrel:EndpointDefaults:Protocols", "Http2");
        var page = await browsers.NewPageAsync(acceptTestCertificate: true);
        await page.GotoAsync(chat.BaseUri.ToString());
        Assert.Equal("h2", await page.EvaluateAsync<string>("performance.getEntriesByType('navigation')[0].nextHopProtocol"));

        // What the issue reproduced: a bare WebSocket to the page's own origin (400 before Fenix accepted extended CONNECTs).
        var url = $"wss://127.0.0.1:{chat.Port}/socket/websocket?vsn=2.0.0&user=x";
        var bare = await page.EvaluateAsync<string>(
            "url => new Promise(resolve => { const ws = new WebSocket(url); ws.onopen = () => { ws.close(); resolve('open'); }; ws.onerror = () => resolve('error'); })",
            url);
        Assert.Equal("open", bare);

        var result = await page.EvaluateAsync<JsonElement>(OfficialClientScript, new { user = "zed", body = "hi from h2" });
        Assert.Equal("websocket", result.GetProperty("transport").GetString());
        Assert.True(result.GetProperty("connected").GetBoolean());
        Assert.Equal(7, result.GetProperty("pong").GetInt32());
        Assert.Equal("hi from h2", result.GetProperty("message").GetString());
        Assert.Equal("zed", result.GetProperty("from").GetString());
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsAsync(ServerProcess chat, string name)
    {
        var page = await browsers.NewPageAsync(acceptTestCertificate: true);
        await page.GotoAsync(chat.BaseUri.ToString());
        await page.FillAsync("#name", name);
        await page.ClickAsync("#join");
        await Assertions.Expect(page.Locator("#room")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("online");
        return page;
    }
}
