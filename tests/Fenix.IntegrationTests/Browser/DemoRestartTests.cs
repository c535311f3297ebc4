using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>
/// The Demo's pages across a server restart (its own Demo process, stopped with SIGTERM and started again on the same
/// port): every page reconnects and rejoins by itself, shows the server's state as it is now — no banner from before —
/// and keeps the user who they were.
/// </summary>
public sealed class DemoRestartTests(DemoServer demo, BrowserFixture browsers) : IClassFixture<DemoServer>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task After_a_restart_the_pages_show_the_new_state_and_keep_their_users()
    {
        // Dispatch: a hero with a generated name.
        var hero = await OpenAsync("/dispatch/");
        await hero.Locator("#status").ShouldHaveTextAsync("online");
        await Assertions.Expect(hero.Locator("#hero-name")).Not.ToHaveTextAsync("…", new() { Timeout = PageExpectations.Timeout });
        var heroName = await hero.Locator("#hero-name").TextContentAsync();

        // Pointing Party: a decided round, its winner on screen.
        var room = DemoPagesCollection.UniqueId("restart");
        var ann = await OpenAsync($"/pointing/?room={room}");
        await ann.FillAsync("#name", "ann");
        await ann.ClickAsync("#join");
        await ann.ClickAsync("#start");
        await ann.ClickAsync("#cards button[data-points='5']");
        await ann.Locator("#result").ShouldHaveTextAsync("Winner: 5 (1 vote of 1)");

        // Training: a started session, its announcement on screen.
        var session = DemoPagesCollection.UniqueId("restart");
        var kim = await OpenAsync($"/training/?session={session}");
        await kim.FillAsync("#name", "kim");
        await kim.CheckAsync("#role-trainer");
        await kim.ClickAsync("#join");
        await kim.ClickAsync("#start-session");
        await kim.Locator("#announcement").ShouldContainTextAsync("The session started");

        // Chat.
        var chat = await OpenAsync("/chat/");
        await chat.FillAsync("#name", "cat");
        await chat.ClickAsync("#join");
        await chat.Locator("#status").ShouldHaveTextAsync("online");
        await chat.Locator("#messages li.system", new() { HasText = "You joined as cat" }).ShouldBeVisibleAsync(); // joined before the restart: the next join is a rejoin

        await demo.Process.TerminateAsync();
        await demo.Process.StartAsync();

        foreach (var page in new[] { hero, ann, kim, chat })
        {
            await page.Locator("#status").ShouldHaveTextAsync("online");
        }

        // The restarted server knows no round and no started session: the pages say so, with no stale banner.
        await ann.Locator("#no-card").ShouldBeVisibleAsync();
        await ann.Locator("#result").ShouldBeHiddenAsync();
        await ann.Locator("#cards button[aria-pressed='true']").ShouldHaveCountAsync(0);
        await ann.Locator("#users li[data-user='ann']").ShouldBeVisibleAsync();
        await kim.Locator("#trainer-state").ShouldHaveTextAsync("waiting");
        await kim.Locator("#announcement").ShouldBeHiddenAsync();
        await kim.Locator("#start-session").ShouldBeEnabledAsync();
        await chat.Locator("#messages li.system", new() { HasText = "Reconnected" }).First.ShouldBeVisibleAsync(); // once per rejoin: a restart may cost two

        // The hero keeps its name (its signed token came back with the reconnect) and is told nothing changed.
        await hero.Locator($"#heroes li[data-hero='{heroName}']").ShouldBeVisibleAsync();
        await hero.Locator("#hero-name").ShouldHaveTextAsync(heroName!);
        await hero.Locator("#identity-notice").ShouldBeHiddenAsync();
        await BrowserFixture.ScreenshotAsync(ann, "restart-pointing.png");
        await BrowserFixture.ScreenshotAsync(kim, "restart-training.png");

        foreach (var page in new[] { hero, ann, kim, chat })
        {
            await page.Context.CloseAsync();
        }
    }

    private async Task<IPage> OpenAsync(string pathAndQuery)
    {
        var page = await browsers.NewPageAsync();
        await page.GotoAsync(demo.Page(pathAndQuery).ToString());
        return page;
    }
}
