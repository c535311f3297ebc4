using Fenix.IntegrationTests.Infrastructure;
using Fenix.IntegrationTests.Observability;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>
/// The dashboard in real Chromium, opened on node A of a two-node cluster (RabbitMQ) while clients use both nodes over
/// WebSocket and long poll: it must show both nodes, connections by transport, the topic with its channels and
/// presences, the presence list, live message rates and an error logged on the other node.
/// </summary>
public sealed class DashboardPageTests(DashboardCluster cluster, BrowserFixture browsers) : IClassFixture<DashboardCluster>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_dashboard_shows_the_cluster_live()
    {
        var topic = $"presence:{DemoPagesCollection.UniqueId("lobby")}";
        await using var ann = await JoinAsync(cluster.A, "ann", topic);
        await using var bob = await JoinAsync(cluster.A, "bob", topic);
        using var carol = new LongPollTestClient(cluster.B.BaseUri, "/ws", query: "user_id=carol");
        await carol.OpenAsync();
        await carol.PostAsync($$"""["1","1","{{topic}}","phx_join",{"name":"carol"}]""");
        await carol.PollMessagesAsync(); // the join reply
        using var stopPolling = new CancellationTokenSource();
        var polling = KeepPollingAsync(carol, stopPolling.Token); // an unpolled long-poll session expires

        var page = await browsers.NewPageAsync();
        await page.GotoAsync(new Uri(cluster.A.BaseUri, "/fenix").ToString());
        await page.Locator("#status").ShouldHaveTextAsync("online");

        // Both nodes report, B through the broker; each counts its own connections by transport.
        var rowA = page.Locator($"#nodes tr[data-node='{cluster.A.Name}']");
        var rowB = page.Locator($"#nodes tr[data-node='{cluster.B.Name}']");
        await rowA.ShouldHaveAttributeAsync("data-state", "live");
        await rowB.ShouldHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(rowB.Locator("td").Nth(4)).ToHaveTextAsync("1", new() { Timeout = PageExpectations.Timeout }); // long poll: carol
        await Assertions.Expect(rowA.Locator("td").Nth(2)).ToContainTextAsync("RabbitMQ");

        // The topic sums its channels over the nodes; presence is replicated, so every node sees all three.
        var topicRow = page.Locator($"#topics tr[data-topic='{topic}']");
        await Assertions.Expect(topicRow.Locator("td").Nth(1)).ToHaveTextAsync("3", new() { Timeout = PageExpectations.Timeout });
        await Assertions.Expect(topicRow.Locator("td").Nth(2)).ToHaveTextAsync("3", new() { Timeout = PageExpectations.Timeout });
        await Assertions.Expect(topicRow.Locator("td").Nth(3)).ToHaveTextAsync("2");
        await topicRow.ClickAsync();
        foreach (var name in new[] { "ann", "bob", "carol" })
        {
            await page.Locator($"#presence tr[data-key='{name}']").ShouldBeVisibleAsync();
        }

        // Traffic shows as a rate, and a refused join on node B shows in the recent errors (its rate-limited warning).
        using (var traffic = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            var sending = SendUntilCancelledAsync(ann, topic, traffic.Token);
            await page.WaitForFunctionAsync("() => Number(document.querySelector('#sum-in').textContent.replace(/[^0-9.]/g, '')) > 0", null, new() { Timeout = PageExpectations.Timeout });
            await using (var stray = await PhoenixTestClient.ConnectAsync(cluster.B.BaseUri, "/ws", "2.0.0", "user_id=stray"))
            {
                var (_, joinMessage) = await stray.JoinAsync("no-route:1");
                await stray.AssertReplyAsync(joinMessage, "error");
            }

            await page.Locator("#errors li[data-event='2016']").First.ShouldBeVisibleAsync();
            await Assertions.Expect(page.Locator("#errors li[data-event='2016']").First).ToContainTextAsync(cluster.B.Name);
            await BrowserFixture.ScreenshotAsync(page, "dashboard.png");
            traffic.Cancel();
            await sending;
        }

        // At phone width nothing makes the page wider than the screen (tables scroll inside their cards).
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForFunctionAsync("() => document.documentElement.scrollWidth <= window.innerWidth");
        await BrowserFixture.ScreenshotAsync(page, "dashboard-390.png");
        await page.Context.CloseAsync();
        await stopPolling.CancelAsync();
        await polling;
    }

    private static async Task KeepPollingAsync(LongPollTestClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await client.GetAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<PhoenixTestClient> JoinAsync(DashboardNode node, string name, string topic)
    {
        var client = await PhoenixTestClient.ConnectAsync(node.BaseUri, "/ws", "2.0.0", $"user_id={name}");
        var (_, joinMessage) = await client.JoinAsync(topic, new { name });
        await client.AssertReplyAsync(joinMessage);
        return client;
    }

    /// <summary>Pushes a status update every 50 ms (each is a message in and a presence diff out) until cancelled.</summary>
    private static async Task SendUntilCancelledAsync(PhoenixTestClient client, string topic, CancellationToken cancellationToken)
    {
        try
        {
            for (var i = 0; !cancellationToken.IsCancellationRequested && i < 600; i++)
            {
                await client.SendAsync(topic, "status", new { status = $"typing {i}" }, joinRef: null);
                await Task.Delay(50, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
