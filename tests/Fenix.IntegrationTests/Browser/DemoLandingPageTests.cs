using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>The Demo's landing page links to every app, and the Chat works from the Demo as it does on its own.</summary>
[Collection(DemoPagesCollection.Name)]
public sealed class DemoLandingPageTests(DemoServer demo, BrowserFixture browsers)
{
    [Fact]
    public async Task The_landing_page_links_to_every_app_and_the_chat_runs_inside_the_demo()
    {
        var page = await browsers.NewPageAsync();
        await page.GotoAsync(demo.BaseUri.ToString());
        foreach (var (link, heading) in new[] { ("pointing", "Pointing Party"), ("dispatch", "Dispatch"), ("training", "Training Center") })
        {
            await page.Locator($"#link-{link}").ShouldHaveTextAsync(heading);
        }

        await BrowserFixture.ScreenshotAsync(page, "demo-landing.png");
        foreach (var (link, heading) in new[] { ("pointing", "Pointing Party"), ("dispatch", "Dispatch"), ("training", "Training Center") })
        {
            await page.ClickAsync($"#link-{link}");
            await page.Locator("h1").ShouldHaveTextAsync(heading);
            await page.GoBackAsync();
        }

        await page.ClickAsync("#link-chat");
        await page.FillAsync("#name", "zoe");
        await page.ClickAsync("#join");
        await page.Locator("#status").ShouldHaveTextAsync("online");
        await page.Locator("#online li[data-user='zoe']").ShouldBeVisibleAsync();
        await page.FillAsync("#body", "hello from the demo");
        await page.ClickAsync("#send");
        await page.Locator("#messages li", new() { HasText = "hello from the demo" }).ShouldBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "demo-chat.png");
        await page.Context.CloseAsync();
    }
}
