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

    [Fact]
    public async Task A_200_KB_message_without_spaces_and_a_64_character_name_wrap_instead_of_widening_the_page()
    {
        var longName = "w" + new string('m', 63);
        var ann = await OpenAsAsync("ann");
        var wide = await OpenAsAsync(longName);
        await Assertions.Expect(ann.Locator($"#online li[data-user='{longName}']")).ToBeVisibleAsync();

        // The message comes from a client that is not the page (the page itself would refuse nothing this size).
        await using (var raw = await PhoenixTestClient.ConnectAsync(chat.BaseUri, "/socket", "2.0.0", "user=mallory"))
        {
            var (joinRef, join) = await raw.JoinAsync("rooms:lobby");
            await raw.AssertReplyAsync(join);
            await raw.SendAsync("rooms:lobby", "new_msg", new { body = new string('x', 200_000) }, joinRef);
            await Assertions.Expect(ann.Locator("#messages li", new() { HasText = "xxxxxxxxxxxxxxxxxxxx" })).ToBeVisibleAsync();
        }

        foreach (var page in new[] { ann, wide })
        {
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page is wider than the window");
            Assert.True(await page.EvaluateAsync<bool>("() => { const list = document.getElementById('online'); return list.scrollWidth <= list.clientWidth; }"), "the Online list overflows");
            Assert.True(await page.EvaluateAsync<bool>("() => { const list = document.getElementById('messages'); return list.scrollWidth <= list.clientWidth; }"), "the messages overflow sideways");
        }

        await BrowserFixture.ScreenshotAsync(ann, "chat-long-message.png");
        await ann.Context.CloseAsync();
        await wide.Context.CloseAsync();
    }

    [Fact]
    public async Task A_message_over_the_frame_limit_is_not_sent_and_the_user_is_told()
    {
        var ann = await OpenAsAsync("ann-big");
        var bob = await OpenAsAsync("bob-big");

        await ann.EvaluateAsync("() => { const body = document.getElementById('body'); body.value = 'y'.repeat(1_100_000); body.dispatchEvent(new Event('input')); }");
        await Assertions.Expect(ann.Locator("#composer-hint")).ToContainTextAsync("Too long to send");
        await Assertions.Expect(ann.Locator("#body")).ToHaveAttributeAsync("aria-invalid", "true");
        await ann.ClickAsync("#send");
        await Assertions.Expect(ann.Locator("#messages li.system", new() { HasText = "Not sent: your message is" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(ann, "chat-too-long.png");

        // Shortened, it goes; bob receives it and (messages arrive in order) never received the long one.
        await ann.FillAsync("#body", "a shorter one");
        await Assertions.Expect(ann.Locator("#composer-hint")).ToBeHiddenAsync();
        await ann.ClickAsync("#send");
        await Assertions.Expect(bob.Locator("#messages li", new() { HasText = "a shorter one" })).ToBeVisibleAsync();
        await Assertions.Expect(bob.Locator("#messages li", new() { HasText = "yyyyyyyyyy" })).ToHaveCountAsync(0);
        await Assertions.Expect(ann.Locator("#status")).ToHaveTextAsync("online");
        await Assertions.Expect(ann.Locator("#messages li", new() { HasText = "Reconnected" })).ToHaveCountAsync(0); // the socket never closed
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task At_390_px_the_room_and_its_composer_fit_the_screen()
    {
        var page = await OpenAsAsync("narrow", width: 390);
        await page.FillAsync("#body", "from a phone");
        await page.ClickAsync("#send");
        await Assertions.Expect(page.Locator("#messages li", new() { HasText = "from a phone" })).ToBeVisibleAsync();

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page is wider than 390 px");
        foreach (var control in new[] { "#body", "#send", "#shout" })
        {
            var box = await page.Locator(control).BoundingBoxAsync();
            Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= 390, $"{control} sticks out: {box?.X} + {box?.Width}");
        }

        await BrowserFixture.ScreenshotAsync(page, "chat-390.png");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_has_a_favicon()
    {
        var page = await browsers.NewPageAsync();
        await page.GotoAsync(chat.BaseUri.ToString());
        var href = await page.Locator("link[rel='icon']").GetAttributeAsync("href");
        var icon = await page.APIRequest.GetAsync(new Uri(chat.BaseUri, href).ToString());
        Assert.Equal(200, icon.Status);
        Assert.StartsWith("image/svg+xml", icon.Headers["content-type"], StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsAsync(string name, int width = 0)
    {
        var page = await browsers.NewPageAsync();
        if (width > 0)
        {
            await page.SetViewportSizeAsync(width, 844);
        }

        await page.GotoAsync(chat.BaseUri.ToString());
        await page.FillAsync("#name", name);
        await page.ClickAsync("#join");
        await Assertions.Expect(page.Locator("#room")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("online");
        return page;
    }
}
