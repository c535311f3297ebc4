using Fenix.Presence.Tests.Support;
using Fenix.Presence.Tests.Tracker;
using Fenix.PubSub;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Fenix.Presence.Tests.Diffs;

/// <summary>Per-topic diff coalescing through the whole tracker, under a manual clock.</summary>
public sealed class CoalescingTests : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingPublisher _diffs = new();
    private readonly PresenceTracker _presence;

    public CoalescingTests()
    {
        var options = new PresenceOptions().CoalesceDiffs("rooms:*", Window).CoalesceDiffs("exact:topic", Window);
        _presence = new PresenceTracker(new FenixPubSub(), options, _diffs, time: _time);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _presence.DisposeAsync();

    [Fact]
    public async Task All_joins_of_a_window_become_one_diff()
    {
        for (var i = 0; i < 50; i++)
        {
            await _presence.TrackAsync(Owner(i), "rooms:big", $"user{i}", new { i });
        }

        await _diffs.DrainAsync(_presence);
        Assert.DoesNotContain(_diffs.Diffs, d => d.Topic == "rooms:big");

        _time.Advance(Window);
        var diff = await _diffs.WaitForAsync(d => d.Topic == "rooms:big");

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"user{i}"), diff.Joins.Keys);
        Assert.Empty(diff.Leaves);
        await _diffs.DrainAsync(_presence);
        Assert.Single(_diffs.Diffs, d => d.Topic == "rooms:big");
    }

    [Fact]
    public async Task Topics_without_a_rule_are_not_delayed_and_patterns_match_exactly_or_by_prefix()
    {
        Assert.Equal(Window, new PresenceOptions().CoalesceDiffs("rooms:*", Window).CoalescingWindowFor("rooms:"));
        Assert.Null(new PresenceOptions().CoalesceDiffs("exact:topic", Window).CoalescingWindowFor("exact:topic2"));

        await _presence.TrackAsync(Owner(1), "chat:1", "alice", new { });
        await _presence.TrackAsync(Owner(1), "exact:topic", "alice", new { });

        await _diffs.WaitForAsync(d => d.Topic == "chat:1");
        await _diffs.DrainAsync(_presence);
        Assert.DoesNotContain(_diffs.Diffs, d => d.Topic == "exact:topic");
        _time.Advance(Window);
        await _diffs.WaitForAsync(d => d.Topic == "exact:topic");
    }

    [Fact]
    public async Task Without_a_rule_a_quiet_topic_gets_each_diff_at_once_and_a_burst_merges_its_tail()
    {
        var burst = new PresenceOptions().AdaptiveCoalescingBurst;
        var interval = new PresenceOptions().AdaptiveCoalescingInterval;
        for (var i = 0; i < burst; i++)
        {
            // No time passes: each of these diffs is published on its own, at once.
            await _presence.TrackAsync(Owner(i), "lobby:1", $"user{i}", new { i });
            await _diffs.WaitForAsync(d => d.Topic == "lobby:1" && d.Joins.ContainsKey($"user{i}"));
        }

        for (var i = burst; i < 50; i++)
        {
            await _presence.TrackAsync(Owner(i), "lobby:1", $"user{i}", new { i });
        }

        await _diffs.DrainAsync(_presence);
        Assert.Equal(burst, _diffs.Diffs.Count(d => d.Topic == "lobby:1"));

        _time.Advance(interval);
        var merged = await _diffs.WaitForAsync(d => d.Topic == "lobby:1" && d.Joins.ContainsKey("user49"));
        Assert.Equal(Enumerable.Range(burst, 50 - burst).Select(i => $"user{i}"), merged.Joins.Keys);
        Assert.Equal(burst + 1, _diffs.Diffs.Count(d => d.Topic == "lobby:1"));

        // Calm again: after the burst has come back, a change goes out at once.
        _time.Advance(interval * burst);
        await _presence.UntrackAsync(Owner(0), "lobby:1", "user0");
        var left = await _diffs.WaitForAsync(d => d.Topic == "lobby:1" && d.Leaves.ContainsKey("user0"));
        Assert.Empty(left.Joins);
    }

    [Fact]
    public async Task Adaptive_coalescing_can_be_turned_off()
    {
        await using var presence = new PresenceTracker(new FenixPubSub(), new PresenceOptions { AdaptiveCoalescingBurst = 0 }, _diffs, time: _time);
        for (var i = 0; i < 40; i++)
        {
            await presence.TrackAsync(presence.CreateOwner($"o{i}", CancellationToken.None), "off:1", $"user{i}", new { i });
            await _diffs.WaitForAsync(d => d.Topic == "off:1" && d.Joins.ContainsKey($"user{i}"));
        }

        Assert.Equal(40, _diffs.Diffs.Count(d => d.Topic == "off:1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PresenceOptions { AdaptiveCoalescingBurst = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PresenceOptions { AdaptiveCoalescingInterval = TimeSpan.Zero }.Validate());
    }

    [Fact]
    public async Task A_join_and_leave_within_a_window_that_nobody_read_send_nothing()
    {
        await _presence.TrackAsync(Owner(1), "rooms:1", "flicker", new { });
        await _presence.UntrackAsync(Owner(1), "rooms:1", "flicker");
        await _presence.TrackAsync(Owner(2), "rooms:1", "stays", new { });
        _time.Advance(Window);

        var diff = await _diffs.WaitForAsync(d => d.Topic == "rooms:1");
        Assert.Equal(["stays"], diff.Joins.Keys);
        Assert.Empty(diff.Leaves);
    }

    [Fact]
    public async Task A_join_listed_before_its_leave_is_still_sent_as_a_leave()
    {
        await _presence.TrackAsync(Owner(1), "rooms:1", "alice", new { });
        var state = await _presence.ListAsync("rooms:1"); // a client's presence_state now holds alice
        Assert.True(state.ContainsKey("alice"));
        await _presence.UntrackAsync(Owner(1), "rooms:1", "alice");
        _time.Advance(Window);

        var diff = await _diffs.WaitForAsync(d => d.Topic == "rooms:1");
        Assert.Empty(diff.Joins);
        Assert.Equal(["alice"], diff.Leaves.Keys);
    }

    [Fact]
    public async Task An_update_inside_a_window_stays_correct_for_the_js_client()
    {
        var client = new JsPresenceClient();
        var oldRef = await _presence.TrackAsync(Owner(1), "rooms:1", "alice", new { status = "online" });
        _time.Advance(Window);
        client.OnState(await _presence.ListAsync("rooms:1"));
        var mark = _diffs.Count;
        await _diffs.DrainAsync(_presence);

        var newRef = await _presence.UpdateAsync(Owner(1), "rooms:1", "alice", new { status = "away" });
        _time.Advance(Window);
        var diff = await _diffs.WaitForAsync(d => d.Topic == "rooms:1" && d.Leaves.Count > 0, mark);
        client.OnDiff(diff);

        Assert.Equal(newRef, diff.Joins["alice"].Metas.Single().GetProperty("phx_ref").GetString());
        Assert.Equal(oldRef, diff.Leaves["alice"].Metas.Single().GetProperty("phx_ref").GetString());
        Assert.Equal([newRef], client.View["alice"]);
    }

    [Theory]
    [InlineData(1UL, true)]
    [InlineData(2UL, true)]
    [InlineData(3UL, true)]
    [InlineData(4UL, false)]
    [InlineData(5UL, false)]
    [InlineData(6UL, false)]
    public async Task Js_clients_joining_at_any_moment_end_with_the_servers_presences(ulong seed, bool coalesce)
    {
        var random = new TestRandom(seed);
        var topic = coalesce ? "rooms:prop" : "plain:prop"; // a fixed window, or adaptive coalescing (the default)
        var owners = Enumerable.Range(0, 6).Select(Owner).ToArray();
        string[] keys = ["k0", "k1", "k2", "k3"];
        var clients = new List<(JsPresenceClient Client, int From)>();

        for (var step = 0; step < 300; step++)
        {
            var owner = random.Pick(owners);
            var key = random.Pick(keys);
            var tracked = await _presence.Shards[0].FindAsync(owner.Id, topic, key) is not null;
            switch (random.Next(10))
            {
                case < 4 when !tracked:
                    await _presence.TrackAsync(owner, topic, key, new { step });
                    break;
                case < 6 when tracked:
                    await _presence.UntrackAsync(owner, topic, key);
                    break;
                case < 7 when tracked:
                    await _presence.UpdateAsync(owner, topic, key, new { step });
                    break;
                case 7:
                    _time.Advance(TimeSpan.FromMilliseconds(random.Next(150)));
                    break;
                case 8:
                    // A client joins: it subscribes (diffs from now on), then gets presence_state.
                    var client = new JsPresenceClient();
                    var from = _diffs.Count;
                    clients.Add((client, from));
                    client.OnState(await _presence.ListAsync(topic));
                    break;
            }
        }

        _time.Advance(Window * 2);
        await _diffs.DrainAsync(_presence);

        var server = (await _presence.ListAsync(topic)).ToDictionary(
            kv => kv.Key, kv => kv.Value.Metas.Select(m => m.GetProperty("phx_ref").GetString()!).ToHashSet(StringComparer.Ordinal));
        Assert.True(clients.Count > 10);
        var diffs = _diffs.Diffs;
        foreach (var (client, from) in clients)
        {
            foreach (var diff in diffs.Skip(from).Where(d => d.Topic == topic))
            {
                client.OnDiff(diff);
            }

            Assert.Equal(server.OrderBy(kv => kv.Key).Select(kv => (kv.Key, string.Join(",", kv.Value.Order()))),
                client.View.OrderBy(kv => kv.Key).Select(kv => (kv.Key, string.Join(",", kv.Value.Order()))));
        }
    }

    private PresenceOwner Owner(int i) => _presence.CreateOwner($"o{i}", CancellationToken.None);
}
