using System.Text.Json.Nodes;
using Fenix.AspNetCore.Transports.LongPoll;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Fenix.IntegrationTests.LongPoll.LongPollTests;

namespace Fenix.IntegrationTests.LongPoll;

/// <summary>
/// Long-poll session expiry, token age and poll windows on a fake clock (mount <c>/ws/lp-small</c>: 300 ms window, so
/// sessions expire 450 ms after their last poll; 1 s tokens; <c>/ws/lp-short</c>: the same window with long-lived tokens).
/// Time moves only when a test says so, so nothing here races the expiry on a loaded machine: a session expires (and a
/// parked poll ends empty) exactly when the test advances past it, and never before.
/// </summary>
public sealed class LongPollExpiryTests(FakeClockFixtureServer server) : IClassFixture<FakeClockFixtureServer>
{
    /// <summary>The registry sweeps once a second: moving this far runs one sweep past every session's 450 ms.</summary>
    private static readonly TimeSpan PastExpiry = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Sessions_expire_when_not_polled_and_old_tokens_get_410()
    {
        using var client = await JoinedAsync("room:lp-inactive");

        server.Clock.Advance(PastExpiry);

        Assert.Equal("shutdown:inactive", await server.Terminations.WaitForAsync("room:lp-inactive", Patience.Default));
        Assert.Equal(410, (await client.PostAsync(Frame("2.0.0", "1", "2", "room:lp-inactive", "new_msg", new JsonObject()))).Status);
        var reopened = await client.GetAsync();
        Assert.Equal(410, reopened.Status);
        Assert.NotEqual(client.Token, reopened.Token);
    }

    [Fact]
    public async Task A_session_polled_in_time_does_not_expire()
    {
        using var client = await JoinedAsync("room:lp-alive", "/ws/lp-short"); // same window, but tokens that outlive the test

        // 3.2 s in steps of 400 ms with a poll after each: every sweep (one a second) finds a poll less than 450 ms old,
        // so the session stays. Each push's reply is the barrier (a session that had expired would answer 410).
        for (var step = 0; step < 8; step++)
        {
            server.Clock.Advance(TimeSpan.FromMilliseconds(400));
            var @ref = $"{10 + step}";
            Assert.Equal(200, (await client.PostAsync(Frame("2.0.0", "1", @ref, "room:lp-alive", "ping", new JsonObject()))).Status);
            Assert.Contains(await client.PollMessagesAsync(atLeast: 1), m => m.Ref == @ref && m.Status == "ok");
        }
    }

    [Fact]
    public async Task Vanished_clients_sessions_are_reclaimed()
    {
        var registry = server.Services.GetRequiredService<LongPollSessionRegistry>();
        var clients = Enumerable.Range(0, 20).Select(_ => new LongPollTestClient(server.BaseUri, "/ws/lp-small")).ToList();
        foreach (var client in clients)
        {
            await client.OpenAsync();
        }

        Assert.True(registry.CountFor("/ws/lp-small") >= 20);
        server.Clock.Advance(PastExpiry);
        var deadline = DateTime.UtcNow + Patience.Default;
        while (registry.CountFor("/ws/lp-small") > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken); // waiting for the sweep's work, not for time to pass
        }

        Assert.Equal(0, registry.CountFor("/ws/lp-small"));
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task A_token_past_its_max_age_gets_410()
    {
        using var expiring = new LongPollTestClient(server.BaseUri, "/ws/lp-small");
        await expiring.OpenAsync();

        server.Clock.Advance(TimeSpan.FromSeconds(2)); // the token's max age there is 1 s

        Assert.Equal(410, (await expiring.PostAsync(Frame("2.0.0", null, "1", "phoenix", "heartbeat", new JsonObject()))).Status);
    }

    [Fact]
    public async Task A_session_that_stops_polling_while_its_topics_stay_busy_is_closed_as_a_slow_consumer()
    {
        using var client = await JoinedAsync("room:lp-busy");
        var body = new string('x', 1024);
        for (var i = 0; i < 40; i++)
        {
            server.Broadcaster.Broadcast("room:lp-busy", "tick", new { i, body });
        }

        // The clock stands still: the session cannot expire first, the 16 KB buffer is what ends it.
        Assert.Equal("shutdown:slow_consumer", await server.Terminations.WaitForAsync("room:lp-busy", Patience.Default));
        Assert.Equal(410, (await client.PostAsync(Frame("2.0.0", "1", "2", "room:lp-busy", "ping", new JsonObject()))).Status);
    }

    [Fact]
    public async Task A_second_poll_releases_the_first()
    {
        // Whichever of two overlapping polls the server parks first is released (204) by the other, which then gets the
        // next message: asserted without depending on which GET arrives first. The clock stands still, so neither poll
        // can end by its window instead (on a real clock a stalled test thread could let the second one expire empty).
        using var client = await JoinedAsync("room:lp-double", "/ws");
        var polls = new[] { client.GetAsync(), client.GetAsync() };
        var first = await Task.WhenAny(polls).WaitAsync(Patience.Default, TestContext.Current.CancellationToken);
        Assert.Equal(204, (await first).Status);
        server.Broadcaster.Broadcast("room:lp-double", "news", new { n = 1 });
        var delivered = await (first == polls[0] ? polls[1] : polls[0]).WaitAsync(Patience.Default, TestContext.Current.CancellationToken);
        Assert.Equal("news", Assert.Single(delivered.Messages).Event);
    }

    private async Task<LongPollTestClient> JoinedAsync(string topic, string mount = "/ws/lp-small")
    {
        var client = new LongPollTestClient(server.BaseUri, mount);
        await client.OpenAsync();
        Assert.Equal(200, (await client.PostAsync(Frame("2.0.0", "1", "1", topic, "phx_join", new JsonObject()))).Status);
        await client.PollMessagesAsync(atLeast: 3); // the join reply: the channel is joined before any time passes
        return client;
    }
}
