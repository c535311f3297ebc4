using System.Text.Json;
using Fenix.Presence.Diffs;
using Fenix.Presence.Tracker;
using Xunit;

namespace Fenix.Presence.Tests.Diffs;

/// <summary>The reduction of one window's changes to one diff, version by version.</summary>
public sealed class CoalescingWindowTests
{
    private static readonly ReplicaRef Self = new("n", 1);

    [Fact]
    public void Joins_within_a_window_are_all_kept_in_order()
    {
        var window = new CoalescingWindow();
        var elements = Enumerable.Range(1, 5).Select(i => Element($"u{i}", i)).ToList();
        elements.ForEach(window.Join);

        var (joins, leaves) = window.Reduce();

        Assert.Equal(elements, joins);
        Assert.Empty(leaves);
    }

    [Fact]
    public void A_join_then_a_leave_of_the_same_version_cancel_out()
    {
        var window = new CoalescingWindow();
        var alice = Element("alice", 1);
        window.Join(alice);
        window.Leave(alice);

        var (joins, leaves) = window.Reduce();

        Assert.Empty(joins);
        Assert.Empty(leaves);
    }

    [Fact]
    public void A_join_seen_by_a_read_before_its_leave_still_leaves()
    {
        var window = new CoalescingWindow();
        var alice = Element("alice", 1);
        window.Join(alice);
        window.MarkRead(); // a channel pushed presence_state holding alice
        window.Leave(alice);

        var (joins, leaves) = window.Reduce();

        Assert.Empty(joins);
        Assert.Equal([alice], leaves);
    }

    [Fact]
    public void A_read_before_the_join_does_not_keep_the_leave()
    {
        var window = new CoalescingWindow();
        var alice = Element("alice", 1);
        window.MarkRead();
        window.Join(alice);
        window.Leave(alice);

        Assert.Equal((0, 0), Counts(window.Reduce()));
    }

    [Fact]
    public void A_leave_of_a_version_present_before_the_window_is_kept()
    {
        var window = new CoalescingWindow();
        var bob = Element("bob", 1);
        window.Leave(bob);

        Assert.Equal([bob], window.Reduce().Leaves);
    }

    [Fact]
    public void A_leave_then_a_rejoin_of_the_same_version_is_a_join_only()
    {
        // A replica going down and coming back up inside the window: its presences keep their refs.
        var window = new CoalescingWindow();
        var bob = Element("bob", 1);
        window.Leave(bob);
        window.Join(bob);

        var (joins, leaves) = window.Reduce();

        Assert.Equal([bob], joins);
        Assert.Empty(leaves);
    }

    [Fact]
    public void An_update_is_a_leave_of_the_old_version_and_a_join_of_the_new_one()
    {
        var window = new CoalescingWindow();
        var v1 = Element("alice", 1);
        var v2 = Element("alice", 3);
        var v3 = Element("alice", 5);
        window.Leave(v1);
        window.Join(v2);
        window.Leave(v2); // updated again inside the window, never read: v2 vanishes
        window.Join(v3);

        var (joins, leaves) = window.Reduce();

        Assert.Equal([v3], joins);
        Assert.Equal([v1], leaves);
    }

    private static (int, int) Counts((List<TrackerElement> Joins, List<TrackerElement> Leaves) diff) => (diff.Joins.Count, diff.Leaves.Count);

    private static TrackerElement Element(string key, long clock) =>
        new("rooms:big", $"o/{key}", key, JsonSerializer.SerializeToElement(new { phx_ref = $"{key}{clock}" }), new Dot(Self, clock));
}
