using System.Diagnostics;
using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>
/// Cost guards for large rooms. The bounds are loose enough for a busy CI machine yet far below what an
/// implementation that scans the whole state per delta or per topic read would need.
/// </summary>
public sealed class PerformanceTests
{
    [Fact]
    public void A_ten_thousand_entry_transfer_is_extracted_and_merged_well_under_a_second()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        for (var i = 0; i < 10_000; i++)
        {
            a.Join($"a/{i}", "room:big", $"user{i}", Meta($"r{i}", ("status", "online")));
        }

        var clock = Stopwatch.StartNew();
        var diff = b.Merge(a.Extract(b.Clocks()));
        clock.Stop();

        Assert.Equal(10_000, diff.Joins.Count);
        Assert.Equal(10_000, b.Get("room:big").Count);
        Assert.True(clock.ElapsedMilliseconds < 500, $"transfer took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Small_deltas_cost_their_own_size_not_the_size_of_the_state()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        for (var i = 0; i < 100_000; i++)
        {
            a.Join($"a/{i}", $"room:{i % 100}", $"user{i}", Meta($"r{i}"));
        }

        b.Merge(a.Extract(b.Clocks()));
        a.TakeDelta();
        var deltas = new List<TrackerDelta>();
        for (var i = 0; i < 2_000; i++)
        {
            a.Leave($"a/{i}", $"room:{i % 100}", $"user{i}");
            a.Join($"a/{i}", $"room:{i % 100}", $"user{i}", Meta($"s{i}"));
            deltas.Add(a.TakeDelta());
        }

        var clock = Stopwatch.StartNew();
        foreach (var delta in deltas)
        {
            var diff = b.Merge(delta);
            Assert.Single(diff.Joins);
            Assert.Single(diff.Leaves);
        }

        clock.Stop();
        Assert.True(clock.ElapsedMilliseconds < 1_000, $"2,000 deltas took {clock.ElapsedMilliseconds} ms");
        Assert.Equal(100_000, b.Count);
    }

    [Fact]
    public void Reading_a_topic_costs_the_size_of_that_topic()
    {
        var state = new TrackerState(A);
        for (var i = 0; i < 100_000; i++)
        {
            state.Join($"a/{i}", $"room:{i % 10_000}", $"user{i}", Meta($"r{i}"));
        }

        var clock = Stopwatch.StartNew();
        var total = 0;
        for (var i = 0; i < 10_000; i++)
        {
            total += state.Get($"room:{i}").Count;
            total += state.GetByKey($"room:{i}", $"user{i}").Count;
        }

        clock.Stop();
        Assert.Equal(110_000, total);
        Assert.True(clock.ElapsedMilliseconds < 1_000, $"10,000 topic reads took {clock.ElapsedMilliseconds} ms");
    }
}
