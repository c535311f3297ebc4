using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>
/// Large rooms: correctness at sizes where a careless data structure would show. Speed itself is measured in
/// bench/ (the presence scenario), never by timing unit tests.
/// </summary>
public sealed class LargeStateTests
{
    [Fact]
    public void A_ten_thousand_entry_transfer_is_extracted_and_merged_whole()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        for (var i = 0; i < 10_000; i++)
        {
            a.Join($"a/{i}", "room:big", $"user{i}", Meta($"r{i}", ("status", "online")));
        }

        var diff = b.Merge(a.Extract(b.Clocks()));

        Assert.Equal(10_000, diff.Joins.Count);
        Assert.Equal(10_000, b.Get("room:big").Count);
    }

    [Fact]
    public void Small_deltas_into_a_large_state_report_only_their_own_changes()
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

        foreach (var delta in deltas)
        {
            var diff = b.Merge(delta);
            Assert.Single(diff.Joins);
            Assert.Single(diff.Leaves);
        }

        Assert.Equal(100_000, b.Count);
    }

    [Fact]
    public void Reading_one_topic_of_many_returns_only_that_topic()
    {
        var state = new TrackerState(A);
        for (var i = 0; i < 100_000; i++)
        {
            state.Join($"a/{i}", $"room:{i % 10_000}", $"user{i}", Meta($"r{i}"));
        }

        var total = 0;
        for (var i = 0; i < 10_000; i++)
        {
            total += state.Get($"room:{i}").Count;
            total += state.GetByKey($"room:{i}", $"user{i}").Count;
        }

        Assert.Equal(110_000, total);
    }
}
