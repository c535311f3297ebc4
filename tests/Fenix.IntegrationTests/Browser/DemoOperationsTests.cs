using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>The Demo's operations endpoints: the dashboard at /fenix (in Chromium), Prometheus metrics and health.</summary>
[Collection(DemoPagesCollection.Name)]
public sealed class DemoOperationsTests(DemoServer demo, BrowserFixture browsers)
{
    [Fact]
    public async Task The_dashboard_shows_the_chat_lobby_with_its_people()
    {
        var chat = await browsers.NewPageAsync();
        await chat.GotoAsync(demo.Page("/chat/").ToString());
        var name = DemoPagesCollection.UniqueId("ops");
        await chat.FillAsync("#name", name);
        await chat.ClickAsync("#join");
        await chat.Locator("#status").ShouldHaveTextAsync("online");

        var dashboard = await browsers.NewPageAsync();
        await dashboard.GotoAsync(demo.Page("/fenix").ToString());
        await dashboard.Locator("#status").ShouldHaveTextAsync("online");
        await dashboard.Locator("#nodes tbody tr[data-state='live']").ShouldHaveCountAsync(1);
        var lobby = dashboard.Locator("#topics tr[data-topic='rooms:lobby']");
        await lobby.ShouldBeVisibleAsync();
        await lobby.ClickAsync();
        await dashboard.Locator($"#presence tr[data-key='{name}']").ShouldBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(dashboard, "demo-dashboard.png");
        await chat.Context.CloseAsync();
        await dashboard.Context.CloseAsync();
    }

    [Fact]
    public async Task Metrics_and_health_are_served()
    {
        await using (var client = await PhoenixTestClient.ConnectAsync(demo.BaseUri, "/socket", "2.0.0", "user=metrics"))
        {
            var (_, join) = await client.JoinAsync("rooms:lobby");
            await client.AssertReplyAsync(join); // a join, so that its duration histogram has a point
        }

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(demo.Page("/metrics"));
        Assert.Contains("fenix_connections_opened", metrics, StringComparison.Ordinal);
        Assert.Contains("fenix_presence_entries", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE fenix_channel_join_duration_seconds histogram", metrics, StringComparison.Ordinal);

        Assert.Equal("Healthy", await http.GetStringAsync(demo.Page("/health")));
    }

    [Fact]
    public async Task Every_page_has_a_favicon()
    {
        using var http = new HttpClient();
        foreach (var page in new[] { "/", "/chat/", "/pointing/", "/dispatch/", "/training/" })
        {
            Assert.Contains("<link rel=\"icon\" href=\"/favicon.svg\"", await http.GetStringAsync(demo.Page(page)), StringComparison.Ordinal);
        }

        using var icon = await http.GetAsync(demo.Page("/favicon.svg"));
        icon.EnsureSuccessStatusCode();
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
    }
}
