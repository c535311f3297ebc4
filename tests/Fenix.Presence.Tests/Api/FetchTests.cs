using System.Text.Json;
using Fenix.Presence.Tests.Support;
using Fenix.PubSub;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.Presence.Tests.Api;

/// <summary>The fetch hook: extras in lists and diffs, and diffs that stay in order whatever fetches take.</summary>
public sealed class FetchTests
{
    [Fact]
    public async Task Extras_appear_in_list_get_by_key_and_both_halves_of_diffs()
    {
        var diffs = new RecordingPublisher();
        var fetcher = new UserFetcher();
        await using var presence = new PresenceTracker(new FenixPubSub(), new PresenceOptions(), diffs, fetcher);
        var owner = presence.CreateOwner("1", CancellationToken.None);

        await presence.TrackAsync(owner, "room:1", "carol", new { device = "phone" });
        var listed = await presence.ListAsync("room:1");
        var byKey = await presence.GetByKeyAsync("room:1", "carol");
        await presence.UntrackAsync(owner, "room:1", "carol");
        var joined = await diffs.WaitForAsync(d => d.Joins.Count > 0);
        var left = await diffs.WaitForAsync(d => d.Leaves.Count > 0);
        Assert.Empty(await presence.ListAsync("room:1"));

        const string user = """{"name":"CAROL"}""";
        Assert.Equal(user, JsonSerializer.Serialize(listed["carol"].Extras["user"]));
        Assert.Equal(user, JsonSerializer.Serialize(byKey!.Extras["user"]));
        Assert.Equal(user, JsonSerializer.Serialize(joined.Joins["carol"].Extras["user"]));
        Assert.Equal(user, JsonSerializer.Serialize(left.Leaves["carol"].Extras["user"]));
        Assert.StartsWith("""{"carol":{"metas":[{"device":"phone","phx_ref":""", JsonSerializer.Serialize(listed), StringComparison.Ordinal);
        Assert.EndsWith("""}],"user":{"name":"CAROL"}}}""", JsonSerializer.Serialize(listed), StringComparison.Ordinal);
        Assert.DoesNotContain(fetcher.Calls, c => c.Count == 0);
    }

    [Fact]
    public async Task A_delegate_fetch_option_works_like_a_fetcher()
    {
        var options = new PresenceOptions
        {
            Fetch = (topic, presences, _) =>
            {
                foreach (var entry in presences.Values)
                {
                    entry.SetExtra("topic", topic);
                }

                return ValueTask.CompletedTask;
            },
        };
        await using var presence = new PresenceTracker(new FenixPubSub(), options);

        await presence.TrackAsync("room:9", "dave", new { });

        Assert.Equal("room:9", (await presence.GetByKeyAsync("room:9", "dave"))!.Extras["topic"]);
    }

    [Fact]
    public async Task A_slow_fetch_does_not_reorder_diffs()
    {
        var diffs = new RecordingPublisher();
        var fetcher = new UserFetcher { Delay = key => key == "u0" ? TimeSpan.FromMilliseconds(300) : TimeSpan.Zero };
        await using var presence = new PresenceTracker(new FenixPubSub(), new PresenceOptions(), diffs, fetcher);
        var owner = presence.CreateOwner("1", CancellationToken.None);

        for (var i = 0; i < 10; i++)
        {
            await presence.TrackAsync(owner, i % 2 == 0 ? "room:a" : "room:b", $"u{i}", new { });
        }

        await presence.UntrackAsync(owner, "room:a", "u0");
        await diffs.WaitForAsync(d => d.Leaves.ContainsKey("u0"));

        var order = diffs.Diffs.Select(d => d.Joins.Count > 0 ? $"+{d.Joins.Keys.Single()}" : $"-{d.Leaves.Keys.Single()}").ToList();
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"+u{i}"), "-u0"], order);
        Assert.All(diffs.Diffs.Where(d => d.Joins.Count > 0), d => Assert.True(d.Joins.Values.Single().Extras.ContainsKey("user")));
    }

    [Fact]
    public async Task A_failing_fetch_sends_the_diff_without_extras_and_logs_an_error()
    {
        var diffs = new RecordingPublisher();
        var log = new ListLogger();
        var fetcher = new UserFetcher { Fail = true };
        await using var presence = new PresenceTracker(new FenixPubSub(), new PresenceOptions(), diffs, fetcher, loggerFactory: log);

        await presence.TrackAsync("room:1", "erin", new { });

        var diff = await diffs.WaitForAsync(d => d.Joins.ContainsKey("erin"));
        Assert.Empty(diff.Joins["erin"].Extras);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Id.Id == 4010);
        await Assert.ThrowsAsync<InvalidOperationException>(() => presence.ListAsync("room:1")); // reads surface it to the caller
    }

    [Fact]
    public void A_fetch_hook_cannot_replace_the_metas()
    {
        var entry = new PresenceEntry([]);
        Assert.Throws<ArgumentException>(() => entry.SetExtra("metas", 1));
    }

    private sealed class UserFetcher : IPresenceFetcher
    {
        public List<IReadOnlyCollection<string>> Calls { get; } = [];

        public Func<string, TimeSpan> Delay { get; init; } = _ => TimeSpan.Zero;

        public bool Fail { get; init; }

        public async ValueTask FetchAsync(string topic, PresenceMap presences, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add([.. presences.Keys]);
            }

            if (Fail)
            {
                throw new InvalidOperationException("the user store is down");
            }

            var delay = presences.Keys.Select(Delay).Max();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            foreach (var (key, entry) in presences)
            {
                entry.SetExtra("user", new { name = key.ToUpperInvariant() });
            }
        }
    }
}
