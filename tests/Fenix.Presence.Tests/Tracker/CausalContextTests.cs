using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

public sealed class CausalContextTests
{
    [Fact]
    public void Dots_of_unknown_replicas_are_neither_seen_nor_recorded()
    {
        var context = new CausalContext();
        context.Observe(new Dot(A, 1));
        context.RaiseTo(A, 5);

        Assert.False(context.Knows(A));
        Assert.False(context.IsSeen(new Dot(A, 1)));
        Assert.Equal(0, context.ClockOf(A));
        Assert.Empty(context.CloudOf(A));
    }

    [Fact]
    public void Track_starts_a_replica_at_zero_and_reports_whether_it_was_new()
    {
        var context = new CausalContext();
        Assert.True(context.Track(A));
        context.Observe(new Dot(A, 1));
        Assert.False(context.Track(A));
        Assert.Equal(1, context.ClockOf(A));
    }

    [Fact]
    public void Contiguous_dots_advance_the_clock_without_a_cloud()
    {
        var context = new CausalContext();
        context.Track(A);
        context.Observe(new Dot(A, 1));
        context.Observe(new Dot(A, 2));
        context.Observe(new Dot(A, 3));

        Assert.Equal(3, context.ClockOf(A));
        Assert.Empty(context.CloudOf(A));
        Assert.True(context.IsSeen(new Dot(A, 2)));
        Assert.False(context.IsSeen(new Dot(A, 4)));
    }

    [Fact]
    public void A_gap_keeps_later_dots_in_the_cloud_until_it_is_filled()
    {
        var context = new CausalContext();
        context.Track(A);
        context.Observe(new Dot(A, 1));
        context.Observe(new Dot(A, 2));
        context.Observe(new Dot(A, 5));
        context.Observe(new Dot(A, 4));

        Assert.Equal(2, context.ClockOf(A));
        Assert.Equal([4L, 5L], context.CloudOf(A));
        Assert.True(context.IsSeen(new Dot(A, 4)));
        Assert.False(context.IsSeen(new Dot(A, 3)));

        context.Observe(new Dot(A, 3));

        Assert.Equal(5, context.ClockOf(A));
        Assert.Empty(context.CloudOf(A));
    }

    [Fact]
    public void Filling_one_of_two_gaps_compacts_only_up_to_the_next_gap()
    {
        var context = new CausalContext();
        context.Track(A);
        foreach (var clock in new long[] { 2, 3, 5, 6, 9 })
        {
            context.Observe(new Dot(A, clock));
        }

        Assert.Equal(0, context.ClockOf(A));
        context.Observe(new Dot(A, 1));
        Assert.Equal(3, context.ClockOf(A));
        Assert.Equal([5L, 6L, 9L], context.CloudOf(A));

        context.Observe(new Dot(A, 4));
        Assert.Equal(6, context.ClockOf(A));
        Assert.Equal([9L], context.CloudOf(A));
    }

    [Fact]
    public void Raising_the_clock_discards_covered_cloud_dots_and_absorbs_the_ones_right_after()
    {
        var context = new CausalContext();
        context.Track(A);
        foreach (var clock in new long[] { 3, 4, 7, 8, 10 })
        {
            context.Observe(new Dot(A, clock));
        }

        context.RaiseTo(A, 6);

        Assert.Equal(8, context.ClockOf(A));
        Assert.Equal([10L], context.CloudOf(A));
    }

    [Fact]
    public void Raising_to_a_lower_clock_changes_nothing()
    {
        var context = new CausalContext();
        context.Track(A);
        context.RaiseTo(A, 5);
        context.RaiseTo(A, 3);
        context.Observe(new Dot(A, 2));
        Assert.Equal(5, context.ClockOf(A));
        Assert.Empty(context.CloudOf(A));
    }

    [Fact]
    public void Tick_advances_by_one()
    {
        var context = new CausalContext();
        context.Track(A);
        Assert.Equal(1, context.Tick(A));
        Assert.Equal(2, context.Tick(A));
        Assert.Equal(2, context.ClockOf(A));
    }

    [Fact]
    public void Forget_drops_clock_and_cloud()
    {
        var context = new CausalContext();
        context.Track(A);
        context.Observe(new Dot(A, 3));
        context.Forget(A);

        Assert.False(context.Knows(A));
        Assert.Empty(context.CloudOf(A));
        Assert.False(context.IsSeen(new Dot(A, 3)));
    }

    [Fact]
    public void Copies_are_filtered_and_independent()
    {
        var context = new CausalContext();
        context.Track(A);
        context.Track(B);
        context.RaiseTo(A, 2);
        context.Observe(new Dot(B, 4));

        var clocks = context.CopyClocks(replica => replica == B);
        var clouds = context.CopyClouds(replica => replica == B);
        Assert.Equal(Ctx((B, 0)), clocks);
        Assert.Equal([new Dot(B, 4)], clouds);
        Assert.Empty(context.CopyClouds(replica => replica == A));

        var clone = context.Clone();
        clone.Observe(new Dot(B, 1));
        clone.RaiseTo(A, 9);
        Assert.Equal(2, context.ClockOf(A));
        Assert.Equal(0, context.ClockOf(B));
        Assert.Equal([4L], context.CloudOf(B));
        Assert.Equal(1, clone.ClockOf(B));
    }
}
