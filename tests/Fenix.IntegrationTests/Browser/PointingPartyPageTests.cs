using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>The Pointing Party page in real Chromium: three people, each in their own browser context, in one room.</summary>
[Collection(DemoPagesCollection.Name)]
public sealed class PointingPartyPageTests(DemoServer demo, BrowserFixture browsers)
{
    private const string FirstCard = "Long-poll fallback";
    private const string SecondCard = "Presence in the chat";

    [Fact]
    public async Task A_round_runs_to_a_winner_and_the_next_card_clears_every_vote()
    {
        var room = DemoPagesCollection.UniqueId("round");
        var ann = await JoinAsync(room, "ann");
        var bob = await JoinAsync(room, "bob");
        var cid = await JoinAsync(room, "cid");
        var everyone = new[] { ann, bob, cid };
        foreach (var page in everyone)
        {
            await page.Locator("#users li").ShouldHaveCountAsync(3);
        }

        await ann.ClickAsync("#start");
        foreach (var page in everyone)
        {
            await page.Locator("#ticket-title").ShouldHaveTextAsync(FirstCard);
            await page.Locator("#users li[data-user='ann'] .badge", new() { HasText = "driver" }).ShouldBeVisibleAsync();
        }

        await ann.Locator("#next").ShouldBeVisibleAsync();
        await bob.Locator("#next").ShouldBeHiddenAsync();

        await Vote(ann, "5");
        await Vote(bob, "5");
        foreach (var page in everyone)
        {
            await page.Locator("#users li[data-user='bob']").ShouldHaveAttributeAsync("data-voted", "true");
            await page.Locator("#users li[data-user='cid']").ShouldHaveAttributeAsync("data-voted", "false");
            await page.Locator("#result").ShouldBeHiddenAsync();
        }

        await BrowserFixture.ScreenshotAsync(cid, "pointing-voting.png");
        await Vote(cid, "3");
        foreach (var page in everyone)
        {
            await page.Locator("#result").ShouldHaveTextAsync("Winner: 5 (2 votes of 3)");
        }

        await BrowserFixture.ScreenshotAsync(bob, "pointing-winner.png");
        await ann.ClickAsync("#next");
        foreach (var page in everyone)
        {
            await page.Locator("#ticket-title").ShouldHaveTextAsync(SecondCard);
            await page.Locator("#users li[data-voted='true']").ShouldHaveCountAsync(0);
            await page.Locator("#users li[data-voted='false']").ShouldHaveCountAsync(3);
            await page.Locator("#result").ShouldBeHiddenAsync();
            await page.Locator("#cards button[aria-pressed='true']").ShouldHaveCountAsync(0);
        }

        await BrowserFixture.ScreenshotAsync(ann, "pointing-next-card.png");
        await CloseAsync(everyone);
    }

    [Fact]
    public async Task When_the_driver_leaves_the_role_passes_on_and_those_present_decide_the_round()
    {
        var room = DemoPagesCollection.UniqueId("driver");
        var ann = await JoinAsync(room, "ann");
        var bob = await JoinAsync(room, "bob");
        var cid = await JoinAsync(room, "cid");
        await ann.ClickAsync("#start");
        await cid.Locator("#ticket-title").ShouldHaveTextAsync(FirstCard);

        await Vote(bob, "8");
        await Vote(cid, "8");
        await bob.Locator("#users li[data-user='cid']").ShouldHaveAttributeAsync("data-voted", "true");
        await bob.Locator("#result").ShouldBeHiddenAsync(); // the driver has not voted yet

        await ann.Context.CloseAsync(); // the driver leaves without voting
        foreach (var page in new[] { bob, cid })
        {
            await page.Locator("#users li[data-user='ann']").ShouldHaveCountAsync(0);
            await page.Locator("#users li[data-user='bob'] .badge", new() { HasText = "driver" }).ShouldBeVisibleAsync();
            await page.Locator("#result").ShouldHaveTextAsync("Winner: 8 (2 votes of 2)");
        }

        await bob.Locator("#next").ShouldBeVisibleAsync();
        await cid.Locator("#next").ShouldBeHiddenAsync();
        await BrowserFixture.ScreenshotAsync(bob, "pointing-driver-left.png");

        await bob.ClickAsync("#next");
        await cid.Locator("#ticket-title").ShouldHaveTextAsync(SecondCard);
        await CloseAsync([bob, cid]);
    }

    private async Task<IPage> JoinAsync(string room, string name)
    {
        var page = await browsers.NewPageAsync();
        await page.GotoAsync(demo.Page($"/pointing/?room={room}").ToString());
        await page.FillAsync("#name", name);
        await page.ClickAsync("#join");
        await page.Locator("#party").ShouldBeVisibleAsync();
        await page.Locator($"#users li[data-user='{name}']").ShouldBeVisibleAsync();
        return page;
    }

    private static async Task Vote(IPage page, string points)
    {
        await page.ClickAsync($"#cards button[data-points='{points}']");
        await page.Locator($"#cards button[data-points='{points}']").ShouldHaveAttributeAsync("aria-pressed", "true");
    }

    private static async Task CloseAsync(IEnumerable<IPage> pages)
    {
        foreach (var page in pages)
        {
            await page.Context.CloseAsync();
        }
    }
}
