using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>Clock comparisons and the clockset reduction of §8.7 step 2.</summary>
public sealed class ClockTests
{
    private static ReplicaClock Sample(ReplicaRef replica, params (ReplicaRef Replica, long Clock)[] entries) =>
        new(replica, Ctx(entries));

    [Fact]
    public void Dominates_requires_as_many_replicas_and_no_lower_clock()
    {
        Assert.True(Clock.Dominates(Ctx((A, 2), (B, 1)), Ctx((A, 1), (B, 1))));
        Assert.True(Clock.Dominates(Ctx((A, 1), (B, 1)), Ctx((A, 1), (B, 1))));
        Assert.True(Clock.Dominates(Ctx((A, 1)), Ctx()));
        Assert.True(Clock.Dominates(Ctx(), Ctx()));
        Assert.False(Clock.Dominates(Ctx((A, 2), (B, 0)), Ctx((A, 1), (B, 1))));
        // Fewer replicas never dominate, even when every shared clock is higher.
        Assert.False(Clock.Dominates(Ctx((A, 9)), Ctx((A, 1), (B, 0))));
        // Same size, a replica the other side lacks counts as 0 on our side.
        Assert.False(Clock.Dominates(Ctx((A, 5), (C, 5)), Ctx((A, 1), (B, 1))));
        Assert.True(Clock.Dominates(Ctx((A, 5), (C, 5)), Ctx((A, 1), (B, 0))));
    }

    [Fact]
    public void DominatesOrEqual_compares_only_the_replicas_of_the_first_clock()
    {
        Assert.True(Clock.DominatesOrEqual(Ctx(), Ctx()));
        Assert.False(Clock.DominatesOrEqual(Ctx(), Ctx((A, 1))));
        Assert.True(Clock.DominatesOrEqual(Ctx((A, 1)), Ctx()));
        Assert.True(Clock.DominatesOrEqual(Ctx((A, 1)), Ctx((A, 1), (B, 9))));
        Assert.True(Clock.DominatesOrEqual(Ctx((A, 2), (C, 0)), Ctx((A, 1))));
        Assert.False(Clock.DominatesOrEqual(Ctx((A, 1), (B, 1)), Ctx((A, 1), (B, 2))));
    }

    [Fact]
    public void Upper_and_lower_bounds_are_pointwise_over_the_union()
    {
        var a = Ctx((A, 3), (B, 1));
        var b = Ctx((B, 4), (C, 2));

        Assert.Equal(Ctx((A, 3), (B, 4), (C, 2)), Clock.UpperBound(a, b));
        Assert.Equal(Ctx((A, 3), (B, 1), (C, 2)), Clock.LowerBound(a, b));
        Assert.Equal(Ctx((A, 3), (B, 1)), a); // inputs untouched
    }

    [Fact]
    public void An_empty_clock_is_ignored()
    {
        IReadOnlyList<ReplicaClock> set = [Sample(A, (A, 1))];
        Assert.Same(set, Clock.AppendClock(set, Sample(B)));
    }

    [Fact]
    public void The_first_clock_starts_the_set()
    {
        var clock = Sample(A, (A, 1));
        Assert.Equal([clock], Clock.AppendClock([], clock));
    }

    [Fact]
    public void A_clock_dominating_everything_replaces_the_set()
    {
        var a = Sample(A, (A, 1), (B, 1));
        var b = Sample(B, (A, 0), (B, 2));
        var c = Sample(C, (A, 2), (B, 3), (C, 1));

        var set = Clock.AppendClock(Clock.AppendClock([], a), b);
        Assert.Equal([a, b], set);
        Assert.Equal([c], Clock.AppendClock(set, c));
    }

    [Fact]
    public void A_clock_dominated_by_the_combined_set_changes_nothing()
    {
        var a = Sample(A, (A, 3), (B, 0));
        var b = Sample(B, (A, 0), (B, 3));
        var set = Clock.AppendClock(Clock.AppendClock([], a), b);

        // Dominated by the pointwise max of a and b, though by neither alone.
        Assert.Same(set, Clock.AppendClock(set, Sample(C, (A, 2), (B, 2))));
    }

    [Fact]
    public void Concurrent_clocks_are_all_kept()
    {
        var a = Sample(A, (A, 2), (B, 0));
        var b = Sample(B, (A, 0), (B, 2));

        var set = Clock.AppendClock(Clock.AppendClock([], a), b);

        Assert.Equal([a, b], set);
    }

    [Fact]
    public void A_clock_drops_the_members_it_dominates_and_keeps_the_concurrent_ones()
    {
        var a = Sample(A, (A, 2), (B, 0), (C, 0));
        var b = Sample(B, (A, 0), (B, 2), (C, 0));
        var c = Sample(C, (A, 3), (B, 0), (C, 1));
        var set = Clock.AppendClock(Clock.AppendClock([], a), b);

        var result = Clock.AppendClock(set, c);

        Assert.Equal([b, c], result);
        Assert.Equal([a, b], set); // the input set is not modified
    }

    [Fact]
    public void Only_the_dominant_peer_is_asked_for_a_transfer()
    {
        var own = Sample(C, (A, 1), (B, 1), (C, 0));
        var a = Sample(A, (A, 3), (B, 1), (C, 0));
        var b = Sample(B, (A, 5), (B, 4), (C, 0));
        var set = Clock.AppendClock(Clock.AppendClock([], a), b);

        Assert.Equal([B], Clock.ReplicasToSync(set, own));
    }

    [Fact]
    public void Mutually_concurrent_peers_are_all_asked()
    {
        var own = Sample(C, (A, 1), (B, 1), (C, 0));
        var a = Sample(A, (A, 3), (B, 1), (C, 0));
        var b = Sample(B, (A, 1), (B, 4), (C, 0));
        var set = Clock.AppendClock(Clock.AppendClock([], a), b);

        Assert.Equal([A, B], Clock.ReplicasToSync(set, own));
    }

    [Fact]
    public void Nobody_is_asked_when_the_own_clock_is_the_most_advanced()
    {
        var own = Sample(C, (A, 3), (B, 4), (C, 2));
        var a = Sample(A, (A, 3), (B, 1), (C, 0));

        Assert.Empty(Clock.ReplicasToSync([a], own));
        Assert.Empty(Clock.ReplicasToSync([], own));
    }

    [Fact]
    public void A_peer_behind_on_our_own_clock_but_ahead_elsewhere_is_asked()
    {
        // The peer has not yet seen our latest writes (C:5 vs C:2) but knows a's newer ones: concurrent, so both stay
        // and the peer is asked.
        var own = Sample(C, (A, 1), (C, 5));
        var a = Sample(A, (A, 4), (C, 2));

        Assert.Equal([A], Clock.ReplicasToSync([a], own));
    }

    [Fact]
    public void A_peer_sampled_twice_is_asked_once()
    {
        var own = Sample(C, (A, 0), (B, 0), (C, 5));
        var first = Sample(A, (A, 2), (B, 0), (C, 0));
        var second = Sample(A, (A, 2), (B, 0), (C, 1));
        var concurrent = Sample(B, (A, 0), (B, 3), (C, 0));
        IReadOnlyList<ReplicaClock> set = [first, concurrent, second];

        Assert.Equal([A, B], Clock.ReplicasToSync(set, own).OrderBy(r => r.Name));
    }
}
