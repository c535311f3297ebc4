using System.Net;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>The Training Center page in real Chromium: a trainer and two participants, each in their own browser context.</summary>
[Collection(DemoPagesCollection.Name)]
public sealed class TrainingCenterPageTests(DemoServer demo, BrowserFixture browsers)
{
    [Fact]
    public async Task A_participant_completing_an_exercise_updates_the_trainer_but_not_another_participant()
    {
        var session = DemoPagesCollection.UniqueId("gym");
        var kim = await JoinAsync(session, "kim", "trainer");
        var lee = await JoinAsync(session, "lee", "participant");
        var max = await JoinAsync(session, "max", "participant");
        await Row(kim, "lee").ShouldHaveAttributeAsync("data-online", "true");
        await Row(kim, "max").ShouldHaveAttributeAsync("data-online", "true");

        await kim.ClickAsync("#start-session");
        foreach (var page in new[] { kim, lee, max })
        {
            await page.Locator("#announcement").ShouldContainTextAsync("The session started");
        }

        await lee.ClickAsync("#exercises li[data-exercise='squats'] button");
        await lee.Locator("#exercises li[data-exercise='squats']").ShouldHaveAttributeAsync("data-done", "true");
        await lee.Locator("#progress-text").ShouldHaveTextAsync("20%");
        await Row(kim, "lee").Locator(".progress").ShouldHaveTextAsync("20%");
        await Row(kim, "lee").Locator(".done").ShouldHaveTextAsync("Squats × 20");

        // Max's own completion reaches the trainer after Lee's did; Max's page still shows only Max's progress.
        await max.ClickAsync("#exercises li[data-exercise='warm-up'] button");
        await Row(kim, "max").Locator(".progress").ShouldHaveTextAsync("20%");
        await max.Locator("#exercises li[data-exercise='warm-up']").ShouldHaveAttributeAsync("data-done", "true");
        await max.Locator("#exercises li[data-exercise='squats']").ShouldHaveAttributeAsync("data-done", "false");
        await max.Locator("#progress-text").ShouldHaveTextAsync("20%");
        await lee.Locator("#exercises li[data-exercise='warm-up']").ShouldHaveAttributeAsync("data-done", "false");
        await BrowserFixture.ScreenshotAsync(kim, "training-trainer.png");
        await BrowserFixture.ScreenshotAsync(lee, "training-participant.png");

        await lee.Context.CloseAsync();
        await Row(kim, "lee").ShouldHaveAttributeAsync("data-online", "false");
        await Row(kim, "lee").Locator(".progress").ShouldHaveTextAsync("20%");
        await kim.Context.CloseAsync();
        await max.Context.CloseAsync();
    }

    [Fact]
    public async Task Starting_a_session_over_http_reaches_every_open_page()
    {
        var session = DemoPagesCollection.UniqueId("http");
        var kim = await JoinAsync(session, "kim", "trainer");
        var lee = await JoinAsync(session, "lee", "participant");
        var max = await JoinAsync(session, "max", "participant");
        await lee.Locator("#exercises li[data-exercise='plank'] button").ShouldBeDisabledAsync();
        await lee.Locator("#plan-hint").ShouldHaveTextAsync("Waiting for the trainer to start the session.");

        using var http = new HttpClient();
        using var started = await http.PostAsync(demo.Page($"/training_sessions/{session}/start"), null);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);

        foreach (var page in new[] { kim, lee, max })
        {
            await page.Locator("#announcement").ShouldContainTextAsync("The session started");
            await page.Locator(".session-state").First.ShouldHaveTextAsync("started");
        }

        await lee.Locator("#exercises li[data-exercise='plank'] button").ShouldBeEnabledAsync();
        await max.Locator("#exercises li[data-exercise='plank'] button").ShouldBeEnabledAsync();

        await kim.Locator("#start-session").ShouldBeDisabledAsync();
        using var again = await http.PostAsync(demo.Page($"/training_sessions/{session}/start"), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await BrowserFixture.ScreenshotAsync(max, "training-started.png");

        await kim.ClickAsync("#end-session");
        await lee.Locator("#announcement").ShouldContainTextAsync("The session has ended");
        foreach (var page in new[] { kim, lee, max })
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task At_390_px_the_trainers_table_fits_the_screen()
    {
        var session = DemoPagesCollection.UniqueId("phone");
        var kim = await JoinAsync(session, "kim", "trainer", width: 390);
        var lee = await JoinAsync(session, "lee-with-a-rather-long-name", "participant");
        await Row(kim, "lee-with-a-rather-long-name").ShouldHaveAttributeAsync("data-online", "true");
        await kim.ClickAsync("#start-session");
        await lee.Locator("#exercises li[data-exercise='squats'] button").ShouldBeEnabledAsync();
        foreach (var exercise in new[] { "warm-up", "squats", "plank" })
        {
            await lee.ClickAsync($"#exercises li[data-exercise='{exercise}'] button");
            await lee.Locator($"#exercises li[data-exercise='{exercise}']").ShouldHaveAttributeAsync("data-done", "true");
        }

        await Row(kim, "lee-with-a-rather-long-name").Locator(".progress").ShouldHaveTextAsync("60%");
        Assert.True(await kim.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the trainer's page is wider than 390 px");
        var table = await kim.Locator("#roster").BoundingBoxAsync();
        Assert.True(table is not null && table.X + table.Width <= 390, $"the roster sticks out: {table?.X} + {table?.Width}");
        await BrowserFixture.ScreenshotAsync(kim, "training-trainer-390.png");
        await kim.Context.CloseAsync();
        await lee.Context.CloseAsync();
    }

    private async Task<IPage> JoinAsync(string session, string name, string role, int width = 0)
    {
        var page = await browsers.NewPageAsync();
        if (width > 0)
        {
            await page.SetViewportSizeAsync(width, 844);
        }

        await page.GotoAsync(demo.Page($"/training/?session={session}").ToString());
        await page.FillAsync("#name", name);
        await page.CheckAsync($"#role-{role}");
        await page.ClickAsync("#join");
        await page.Locator(role == "trainer" ? "#trainer-view" : "#exercises li").First.ShouldBeVisibleAsync();
        return page;
    }

    private static ILocator Row(IPage trainer, string participant) =>
        trainer.Locator($"#roster tbody tr[data-participant='{participant}']");
}
