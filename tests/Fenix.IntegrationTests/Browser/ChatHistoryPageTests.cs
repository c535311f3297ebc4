using Fenix.IntegrationTests.History;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>
/// The Chat page (phoenix.js with fenix-history.mjs) in real Chromium against samples/Chat started with
/// <c>--Chat:History true</c>: a page whose network goes away gets what it missed once each, in order; a page that opens
/// shows the last messages.
/// </summary>
public sealed class ChatHistoryPageTests(HistoryChatServer chat, BrowserFixture browsers) : IClassFixture<HistoryChatServer>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_page_cut_off_the_network_sees_the_messages_sent_meanwhile_once_each_in_order()
    {
        var ann = await OpenAsAsync("ann", recordSockets: true);
        var bob = await OpenAsAsync("bob");
        await SayAsync(bob, "before the cut");
        await Assertions.Expect(Line(ann, "before the cut")).ToBeVisibleAsync();

        // Chromium's offline mode blocks new connections but leaves open WebSockets up: cut the page's one as well.
        await ann.Context.SetOfflineAsync(true);
        await ann.EvaluateAsync("window.__openSockets.forEach(s => s.close(3000, 'network cut by the test'))");
        await Assertions.Expect(ann.Locator("#status")).Not.ToHaveTextAsync("online"); // the page noticed: its socket is gone
        await Assertions.Expect(bob.Locator("#online li[data-user='ann']")).ToHaveCountAsync(0); // and so did the server
        foreach (var text in new[] { "missed one", "missed two", "missed three" })
        {
            await SayAsync(bob, text);
        }

        await ann.Context.SetOfflineAsync(false);
        await Assertions.Expect(ann.Locator("#status")).ToHaveTextAsync("online");
        await SayAsync(bob, "after the cut");
        await Assertions.Expect(Line(ann, "after the cut")).ToBeVisibleAsync();
        var lines = await ann.Locator("#messages li").AllInnerTextsAsync();
        var said = lines.Where(l => l.Contains("cut", StringComparison.Ordinal) || l.Contains("missed", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("bob", StringComparison.Ordinal) + 3)..].Trim()).ToList();
        Assert.Equal(["before the cut", "missed one", "missed two", "missed three", "after the cut"], said);
        Assert.DoesNotContain(lines, l => l.Contains("may be missing", StringComparison.Ordinal)); // recovered, not reloaded
        await BrowserFixture.ScreenshotAsync(ann, "chat-history-recovered.png");

        var carol = await OpenAsAsync("carol"); // a page that opens now shows the last messages
        await Assertions.Expect(Line(carol, "missed three")).ToBeVisibleAsync();
        await Assertions.Expect(Line(carol, "after the cut")).ToBeVisibleAsync();
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
        await carol.Context.CloseAsync();
    }

    private static ILocator Line(IPage page, string text) => page.Locator("#messages li", new() { HasText = text });

    private static async Task SayAsync(IPage page, string text)
    {
        await page.FillAsync("#body", text);
        await page.ClickAsync("#send");
        await Assertions.Expect(Line(page, text)).ToBeVisibleAsync();
    }

    private async Task<IPage> OpenAsAsync(string name, bool recordSockets = false)
    {
        var page = await browsers.NewPageAsync();
        if (recordSockets)
        {
            // Keeps the page's WebSockets reachable (phoenix.js keeps its own in a module), nothing else changes.
            await page.AddInitScriptAsync("""
                const NativeWebSocket = window.WebSocket;
                window.__openSockets = [];
                window.WebSocket = class extends NativeWebSocket {
                  constructor(...args) { super(...args); window.__openSockets.push(this); }
                };
                """);
        }

        await page.GotoAsync(chat.Process.BaseUri.ToString());
        await page.FillAsync("#name", name);
        await page.ClickAsync("#join");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("online");
        return page;
    }
}
