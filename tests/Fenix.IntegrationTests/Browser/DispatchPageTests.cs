using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>The Dispatch page in real Chromium: three heroes in their own browser contexts, and the background dispatcher.</summary>
[Collection(DemoPagesCollection.Name)]
public sealed class DispatchPageTests(DemoServer demo, BrowserFixture browsers)
{
    [Fact]
    public async Task A_direct_notification_reaches_only_its_recipient_and_notify_others_skips_the_sender()
    {
        var (a, aName) = await OpenAsync();
        var (b, bName) = await OpenAsync();
        var (c, cName) = await OpenAsync();
        foreach (var page in new[] { a, b, c })
        {
            foreach (var name in new[] { aName, bName, cName })
            {
                await page.Locator($"#heroes li[data-hero='{name}']").ShouldBeVisibleAsync();
            }
        }

        var direct = DemoPagesCollection.UniqueId("direct");
        await a.SelectOptionAsync("#recipient", bName);
        await a.FillAsync("#body", direct);
        await a.ClickAsync("#notify-direct");
        await a.Locator("#send-status").ShouldHaveTextAsync($"Sent to {bName}.");
        await Notification(b, direct).ShouldBeVisibleAsync();
        await Assertions.Expect(Notification(b, direct)).ToHaveAttributeAsync("data-kind", "direct");

        // A later broadcast from C, once seen by A and C, shows that the direct notification went nowhere else.
        await SendAsync(c, "#notify-all", "barrier one");
        await Notification(a, "barrier one").ShouldBeVisibleAsync();
        await Notification(c, "barrier one").ShouldBeVisibleAsync();
        await Notification(a, direct).ShouldHaveCountAsync(0);
        await Notification(c, direct).ShouldHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(b, "dispatch-recipient.png");

        var others = DemoPagesCollection.UniqueId("others");
        await SendAsync(a, "#notify-others", others);
        await Notification(b, others).ShouldBeVisibleAsync();
        await Notification(c, others).ShouldBeVisibleAsync();
        await SendAsync(b, "#notify-all", "barrier two");
        await Notification(a, "barrier two").ShouldBeVisibleAsync();
        await Notification(a, others).ShouldHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(a, "dispatch-sender.png");

        await c.Context.CloseAsync();
        await a.Locator($"#heroes li[data-hero='{cName}']").ShouldHaveCountAsync(0);
        await a.Context.CloseAsync();
        await b.Context.CloseAsync();
    }

    [Fact]
    public async Task The_dispatcher_pages_a_present_hero_every_few_seconds()
    {
        var (page, _) = await OpenAsync();

        // The server runs the dispatcher every 2 s over the heroes present (a hero of a closed page may be chosen once).
        await page.Locator("#notifications li[data-kind='dispatch']").First.ShouldBeVisibleAsync();
        await page.Locator("#notifications li[data-kind='dispatch'] .meta").First.ShouldContainTextAsync("Dispatch");
        await BrowserFixture.ScreenshotAsync(page, "dispatch-paged.png");
        await page.Context.CloseAsync();
    }

    private async Task<(IPage Page, string Hero)> OpenAsync()
    {
        var page = await browsers.NewPageAsync();
        await page.GotoAsync(demo.Page("/dispatch/").ToString());
        await page.Locator("#status").ShouldHaveTextAsync("online");
        await Assertions.Expect(page.Locator("#hero-name")).Not.ToHaveTextAsync("…", new() { Timeout = PageExpectations.Timeout });
        var hero = await page.Locator("#hero-name").InnerTextAsync();
        await page.Locator($"#heroes li[data-hero='{hero}']").ShouldBeVisibleAsync();
        return (page, hero);
    }

    private static async Task SendAsync(IPage page, string button, string body)
    {
        await page.FillAsync("#body", body);
        await page.ClickAsync(button);
        await page.Locator("#send-status").ShouldHaveTextAsync("Sent.");
    }

    private static ILocator Notification(IPage page, string body) =>
        page.Locator("#notifications li", new() { Has = page.Locator(".body", new() { HasText = body }) });
}
