using Fenix.Presence.Diffs;
using Fenix.Presence.Tests.Tracker;
using Xunit;

namespace Fenix.Presence.Tests.Diffs;

/// <summary>The adaptive coalescing state machine alone: a token bucket per topic, driven with explicit times.</summary>
public sealed class DiffRateGateTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void A_quiet_topic_sends_every_diff_at_once()
    {
        var gate = new DiffRateGate(burst: 10, Interval);

        for (var i = 0; i < 100; i++)
        {
            // One diff per interval never spends the burst.
            Assert.Null(gate.OnDiff("room", Interval * i));
        }

        Assert.Equal(DiffRateGate.TopicState.Sending, gate.StateOf("room"));
    }

    [Fact]
    public void A_spent_burst_holds_the_topic_until_the_next_token_and_the_window_takes_it()
    {
        var gate = new DiffRateGate(burst: 3, Interval);
        var t = TimeSpan.FromSeconds(5);

        Assert.Null(gate.OnDiff("room", t));
        Assert.Null(gate.OnDiff("room", t));
        Assert.Null(gate.OnDiff("room", t));
        Assert.Equal(Interval, gate.OnDiff("room", t)); // opens a window that closes when a token is back
        Assert.Equal(DiffRateGate.TopicState.Holding, gate.StateOf("room"));
        Assert.Equal(TimeSpan.Zero, gate.OnDiff("room", t + TimeSpan.FromMilliseconds(50))); // joins the open window

        gate.OnWindowClosed("room", t + Interval);

        Assert.Equal(DiffRateGate.TopicState.Sending, gate.StateOf("room"));
        // The window's merged diff took the token that came back: the next diff waits a whole interval again.
        Assert.Equal(Interval, gate.OnDiff("room", t + Interval));
    }

    [Fact]
    public void Topics_are_independent()
    {
        var gate = new DiffRateGate(burst: 1, Interval);

        Assert.Null(gate.OnDiff("busy", TimeSpan.Zero));
        Assert.NotNull(gate.OnDiff("busy", TimeSpan.Zero));

        Assert.Null(gate.OnDiff("quiet", TimeSpan.Zero));
        Assert.Equal(DiffRateGate.TopicState.Sending, gate.StateOf("quiet"));
    }

    [Fact]
    public void A_calm_topic_earns_its_whole_burst_back()
    {
        var gate = new DiffRateGate(burst: 4, Interval);
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(gate.OnDiff("room", TimeSpan.Zero));
        }

        var wait = gate.OnDiff("room", TimeSpan.Zero)!.Value;
        gate.OnWindowClosed("room", wait);

        var calm = wait + (Interval * 5);
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(gate.OnDiff("room", calm));
        }

        Assert.NotNull(gate.OnDiff("room", calm));
    }

    [Fact]
    public void Burst_zero_turns_it_off()
    {
        var gate = new DiffRateGate(burst: 0, Interval);

        for (var i = 0; i < 1000; i++)
        {
            Assert.Null(gate.OnDiff("room", TimeSpan.Zero));
        }

        Assert.Equal(0, gate.TrackedTopics);
    }

    [Fact]
    public void Idle_topics_are_forgotten()
    {
        var gate = new DiffRateGate(burst: 2, Interval);
        for (var i = 0; i < 10_000; i++)
        {
            // Each topic changes once; a second later its bucket is full again and it may be dropped.
            Assert.Null(gate.OnDiff($"user:{i}", TimeSpan.FromSeconds(i)));
        }

        Assert.True(gate.TrackedTopics <= 128, $"{gate.TrackedTopics} topics remembered");
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void Random_traffic_never_exceeds_the_bucket_and_nothing_waits_longer_than_an_interval(ulong seed)
    {
        const int burst = 5;
        var random = new TestRandom(seed);
        var gate = new DiffRateGate(burst, Interval);
        string[] topics = ["a", "b", "c"];
        var sends = topics.ToDictionary(t => t, _ => new List<TimeSpan>());
        var windows = new Dictionary<string, (TimeSpan Opened, TimeSpan Due)>();
        var now = TimeSpan.Zero;

        for (var step = 0; step < 20_000; step++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(random.Chance(0.3) ? 200 : 5));
            foreach (var (topic, window) in windows.Where(w => w.Value.Due <= now).OrderBy(w => w.Value.Due).ToList())
            {
                gate.OnWindowClosed(topic, window.Due);
                sends[topic].Add(window.Due);
                windows.Remove(topic);
            }

            var diffTopic = random.Pick(topics);
            var decision = gate.OnDiff(diffTopic, now);
            if (decision is null)
            {
                Assert.False(windows.ContainsKey(diffTopic), "a holding topic must not send at once");
                sends[diffTopic].Add(now);
            }
            else if (decision == TimeSpan.Zero)
            {
                Assert.True(windows.ContainsKey(diffTopic), "only an open window takes a diff without a delay");
            }
            else
            {
                Assert.False(windows.ContainsKey(diffTopic));
                Assert.True(decision <= Interval, $"a held diff would wait {decision}");
                windows[diffTopic] = (now, now + decision.Value);
            }
        }

        // Over any stretch of time, a topic sends at most its burst plus one diff per interval.
        foreach (var times in sends.Values)
        {
            Assert.True(times.Count > 100);
            for (var i = 0; i < times.Count; i++)
            {
                for (var j = i; j < times.Count && j < i + 200; j++)
                {
                    var allowed = burst + ((times[j] - times[i]) / Interval) + 1e-9;
                    Assert.True(j - i + 1 <= allowed, $"{j - i + 1} sends between {times[i]} and {times[j]}");
                }
            }
        }
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1_000, 100)]
    [InlineData(2_000, 100)]
    [InlineData(5_000, 250)]
    [InlineData(10_000, 500)]
    [InlineData(100_000, 1_000)]
    public void A_topic_s_interval_grows_with_its_audience_past_the_frame_budget(int audience, int expectedMs)
    {
        var gate = new DiffRateGate(burst: 10, Interval, maxFramesPerSecond: 20_000);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), gate.IntervalFor(audience));
        Assert.Equal(Interval, new DiffRateGate(burst: 10, Interval).IntervalFor(audience)); // no budget: the interval
    }

    [Fact]
    public void A_big_room_still_sends_its_burst_at_once_then_holds_for_its_longer_interval()
    {
        var gate = new DiffRateGate(burst: 3, Interval, maxFramesPerSecond: 20_000);
        var t = TimeSpan.FromSeconds(5);

        Assert.Null(gate.OnDiff("room", t, audience: 5_000));
        Assert.Null(gate.OnDiff("room", t, audience: 5_000));
        Assert.Null(gate.OnDiff("room", t, audience: 5_000));
        Assert.Equal(TimeSpan.FromMilliseconds(250), gate.OnDiff("room", t, audience: 5_000));
        gate.OnWindowClosed("room", t + TimeSpan.FromMilliseconds(250));

        // The room emptied to 100 members: it is back to the base interval for the tokens it earns from now on.
        Assert.Equal(Interval, gate.OnDiff("room", t + TimeSpan.FromMilliseconds(250), audience: 100));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Random_traffic_to_rooms_of_every_size_stays_within_the_frame_budget(ulong seed)
    {
        const int burst = 5;
        const int budget = 20_000;
        var random = new TestRandom(seed);
        var gate = new DiffRateGate(burst, Interval, budget);
        var audience = new Dictionary<string, int> { ["small"] = 50, ["big"] = 5_000, ["huge"] = 60_000 };
        var sends = audience.Keys.ToDictionary(t => t, _ => new List<TimeSpan>());
        var windows = new Dictionary<string, TimeSpan>();
        var now = TimeSpan.Zero;

        for (var step = 0; step < 20_000; step++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(random.Chance(0.3) ? 200 : 5));
            foreach (var (topic, due) in windows.Where(w => w.Value <= now).OrderBy(w => w.Value).ToList())
            {
                gate.OnWindowClosed(topic, due);
                sends[topic].Add(due);
                windows.Remove(topic);
            }

            var diffTopic = random.Pick(audience.Keys.ToArray());
            var decision = gate.OnDiff(diffTopic, now, audience[diffTopic]);
            if (decision is null)
            {
                sends[diffTopic].Add(now);
            }
            else if (decision > TimeSpan.Zero)
            {
                Assert.True(decision <= gate.IntervalFor(audience[diffTopic]), $"a held diff would wait {decision}");
                Assert.True(decision <= TimeSpan.FromSeconds(1));
                windows[diffTopic] = now + decision.Value;
            }
        }

        // Over any stretch of time, a topic sends at most its burst plus one diff per (audience-stretched) interval.
        foreach (var (topic, times) in sends)
        {
            var interval = gate.IntervalFor(audience[topic]);
            Assert.True(times.Count > 50);
            for (var i = 0; i < times.Count; i++)
            {
                for (var j = i; j < times.Count && j < i + 200; j++)
                {
                    var allowed = burst + ((times[j] - times[i]) / interval) + 1e-9;
                    Assert.True(j - i + 1 <= allowed, $"{topic}: {j - i + 1} sends between {times[i]} and {times[j]}");
                }
            }
        }
    }
}
