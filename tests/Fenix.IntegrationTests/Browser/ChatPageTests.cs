using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>The Chat page in real Chromium: people in separate browser contexts chat through the sample's own process.</summary>
public sealed class ChatPageTests(ChatServer chat, BrowserFixture browsers) : IClassFixture<ChatServer>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Two_people_chat_in_the_lobby()
    {
        var ann = await OpenAsAsync("ann");
        var bob = await OpenAsAsync("bob");

        await ann.FillAsync("#body", "hello from ann");
        await ann.ClickAsync("#send");
        await Assertions.Expect(bob.Locator("#messages li", new() { HasText = "hello from ann" })).ToBeVisibleAsync();
        await Assertions.Expect(ann.Locator("#messages li", new() { HasText = "hello from ann" })).ToBeVisibleAsync();

        await bob.FillAsync("#body", "shouting at ann");
        await bob.ClickAsync("#shout");
        await Assertions.Expect(ann.Locator("#messages li.shout", new() { HasText = "shouting at ann" })).ToBeVisibleAsync();

        await BrowserFixture.ScreenshotAsync(ann, "chat-ann.png");
        await BrowserFixture.ScreenshotAsync(bob, "chat-bob.png");
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task Everyone_sees_who_is_online_and_who_left()
    {
        var carol = await OpenAsAsync("carol");
        var dave = await OpenAsAsync("dave");
        var erin = await OpenAsAsync("erin");

        foreach (var page in new[] { carol, dave, erin })
        {
            foreach (var name in new[] { "carol", "dave", "erin" })
            {
                await Assertions.Expect(page.Locator($"#online li[data-user='{name}']")).ToBeVisibleAsync();
            }
        }

        await BrowserFixture.ScreenshotAsync(carol, "chat-online-three.png");
        await erin.Context.CloseAsync(); // the tab closes: the socket drops, erin's presence leaves
        await Assertions.Expect(carol.Locator("#online li[data-user='erin']")).ToHaveCountAsync(0);
        await Assertions.Expect(dave.Locator("#online li[data-user='erin']")).ToHaveCountAsync(0);
        await Assertions.Expect(dave.Locator("#online li[data-user='carol']")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(dave, "chat-online-after-leave.png");
        await carol.Context.CloseAsync();
        await dave.Context.CloseAsync();
    }

    [Fact]
    public async Task The_online_list_shows_who_is_in_the_lobby_and_updates_when_someone_leaves()
    {
        var uma = await OpenAsAsync("uma");
        await Assertions.Expect(uma.Locator("#online li[data-user='uma']")).ToBeVisibleAsync();

        var vic = await OpenAsAsync("vic");
        await Assertions.Expect(vic.Locator("#online li[data-user='uma']")).ToBeVisibleAsync();
        await Assertions.Expect(vic.Locator("#online li[data-user='vic']")).ToBeVisibleAsync();
        await Assertions.Expect(uma.Locator("#online li[data-user='vic']")).ToBeVisibleAsync();

        var vicAgain = await OpenAsAsync("vic");
        await Assertions.Expect(uma.Locator("#online li[data-user='vic']")).ToHaveTextAsync("vic (2)");
        await BrowserFixture.ScreenshotAsync(uma, "chat-presence-uma.png");

        await vicAgain.Context.CloseAsync();
        await vic.Context.CloseAsync();
        await Assertions.Expect(uma.Locator("#online li[data-user='vic']")).ToHaveCountAsync(0);
        await Assertions.Expect(uma.Locator("#online li[data-user='uma']")).ToBeVisibleAsync();
        await uma.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsAsync(string name)
    {
        var page = await browsers.NewPageAsync();
        await page.GotoAsync(chat.BaseUri.ToString());
        await page.FillAsync("#name", name);
        await page.ClickAsync("#join");
        await Assertions.Expect(page.Locator("#room")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("online");
        return page;
    }
}
