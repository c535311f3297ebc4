using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>The Demo run over HTTPS with its one documented flag (README): its pages chat over an HTTP/2 WebSocket.</summary>
public sealed class DemoHttpsTests(BrowserFixture browsers) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_demo_with_self_signed_https_serves_its_chat_over_http2()
    {
        await using var demo = await ServerProcess.StartWithOwnHttpsAsync("Demo", "--self-signed-https", "--Logging:LogLevel:Fenix.Socket", "Debug");
        var page = await browsers.NewPageAsync(acceptTestCertificate: true);
        await page.GotoAsync(new Uri(demo.BaseUri, "/chat/").ToString());
        Assert.Equal("h2", await page.EvaluateAsync<string>("performance.getEntriesByType('navigation')[0].nextHopProtocol"));

        await page.FillAsync("#name", "hal");
        await page.ClickAsync("#join");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("online");
        await page.FillAsync("#body", "secure hello");
        await page.ClickAsync("#send");
        await Assertions.Expect(page.Locator("#messages li", new() { HasText = "secure hello" })).ToBeVisibleAsync();

        Assert.Contains(
            demo.Output.Split('\n'),
            line => line.Contains("Connected websocket socket UserSocket", StringComparison.Ordinal) && line.TrimEnd().EndsWith("over HTTP/2", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }
}
