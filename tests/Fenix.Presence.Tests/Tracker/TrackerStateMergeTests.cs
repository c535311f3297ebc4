using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>The merge rules of §8.5, each in isolation.</summary>
public sealed class TrackerStateMergeTests
{
    [Fact]
    public void A_delta_from_a_known_replica_joins_its_new_elements()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        var alice = a.Join("a/1", "t", "alice", Meta("r1"));

        var diff = Gossip(a, b);

        Assert.Equal([alice], diff.Joins);
        Assert.Empty(diff.Leaves);
        Assert.Equal(["r1"], b.Get("t").Refs());
        Assert.Equal(alice.Dot, b.Find("a/1", "t", "alice")!.Dot);
        Assert.Equal(1, b.ClockOf(A));
        Assert.Empty(b.CloudOf(A));
    }

    [Fact]
    public void Merging_the_same_payload_again_changes_nothing()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        a.Join("a/2", "t", "bob", Meta("r2"));
        var delta = a.TakeDelta();
        b.Merge(delta);
        var extract = a.Extract(b.Clocks());

        Assert.True(b.Merge(delta).IsEmpty);
        Assert.True(b.Merge(extract).IsEmpty);
        Assert.Equal(["r1", "r2"], b.GetAll().Refs());
        Assert.Equal(2, b.ClockOf(A));
    }

    [Fact]
    public void Dots_of_a_replica_not_known_here_are_ignored_until_it_is_up()
    {
        var a = NewState(A, B);
        var b = new TrackerState(B);
        a.Join("a/1", "t", "alice", Meta("r1"));
        var delta = a.TakeDelta();

        Assert.True(b.Merge(delta).IsEmpty);
        Assert.Equal(0, b.Count);
        Assert.Null(b.StatusOf(A));
        Assert.Equal(0, b.ClockOf(A));

        Assert.True(b.ReplicaUp(A).IsEmpty);
        var diff = b.Merge(delta);

        Assert.Equal(["r1"], diff.Joins.Refs());
        Assert.Equal(1, b.ClockOf(A));
    }

    [Fact]
    public void A_remote_removal_of_an_observed_element_is_a_leave()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        Gossip(a, b);
        a.Leave("a/1", "t", "alice");

        var diff = Gossip(a, b);

        Assert.Empty(diff.Joins);
        Assert.Equal(["r1"], diff.Leaves.Refs());
        Assert.Equal(0, b.Count);
        Assert.Equal(2, b.ClockOf(A));
    }

    [Fact]
    public void Removal_wins_only_when_the_remote_has_observed_the_add()
    {
        var a = NewState(A, B, C);
        var b = NewState(B, A, C);
        var c = NewState(C, A, B);
        a.Join("a/1", "t", "alice", Meta("r1"));
        Gossip(a, c); // b never hears of alice

        // b holds no alice and has not observed her dot: no leave on c.
        Assert.True(Transfer(b, c).IsEmpty);
        Assert.Equal(["r1"], c.GetAll().Refs());

        // Once b has observed both the add and its removal, b's state removes her on c.
        a.Leave("a/1", "t", "alice");
        Gossip(a, b);
        var diff = Transfer(b, c);
        Assert.Equal(["r1"], diff.Leaves.Refs());
        Assert.Empty(c.GetAll());
    }

    [Fact]
    public void An_update_in_one_merge_reports_the_old_version_left_and_the_new_one_joined()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        Gossip(a, b);
        a.LeaveJoin("a/1", "t", "alice", Meta("r2"));

        var diff = Gossip(a, b);

        Assert.Equal(["r2"], diff.Joins.Refs());
        Assert.Equal(["r1"], diff.Leaves.Refs());
        Assert.Equal(1, b.Count);
        Assert.Equal(["r2"], b.GetByKey("t", "alice").Refs());
        Assert.Equal(new Dot(A, 3), b.Find("a/1", "t", "alice")!.Dot);
    }

    [Fact]
    public void An_update_seen_through_a_full_extract_is_also_leave_plus_join()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        Gossip(a, b);
        a.LeaveJoin("a/1", "t", "alice", Meta("r2"));
        a.TakeDelta(); // lost

        var diff = Transfer(a, b);

        Assert.Equal(["r2"], diff.Joins.Refs());
        Assert.Equal(["r1"], diff.Leaves.Refs());
        Assert.Equal(["r2"], b.GetAll().Refs());
    }

    [Fact]
    public void A_join_and_leave_within_one_delta_are_invisible_to_the_receiver_but_observed()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        var stale = a.Extract(b.Clocks()); // still holds alice
        a.Leave("a/1", "t", "alice");

        Assert.True(Gossip(a, b).IsEmpty);
        Assert.Equal(2, b.ClockOf(A));

        // The add was observed as removed, so an older snapshot cannot bring it back.
        Assert.True(b.Merge(stale).IsEmpty);
        Assert.Equal(0, b.Count);
    }

    [Fact]
    public void A_removal_delivered_before_its_add_keeps_the_element_out()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        var addDelta = a.TakeDelta();
        a.Leave("a/1", "t", "alice");
        var removeDelta = a.TakeDelta();

        // The removal delta names the retired dot too, so the add is already observed when it arrives.
        Assert.True(b.Merge(removeDelta).IsEmpty);
        Assert.Equal([new Dot(A, 1), new Dot(A, 2)], removeDelta.Clouds.OrderBy(d => d.Clock));
        Assert.Equal(2, b.ClockOf(A));

        Assert.True(b.Merge(addDelta).IsEmpty);
        Assert.Equal(0, b.Count);
    }

    [Fact]
    public void Deltas_delivered_out_of_order_join_each_element_once()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        var first = a.TakeDelta();
        a.Join("a/2", "t", "bob", Meta("r2"));
        var second = a.TakeDelta();

        Assert.Equal(["r2"], b.Merge(second).Joins.Refs());
        Assert.Equal([2L], b.CloudOf(A));
        Assert.Equal(["r1"], b.Merge(first).Joins.Refs());
        Assert.True(b.Merge(second).IsEmpty);
        Assert.Equal(2, b.ClockOf(A));
        Assert.Empty(b.CloudOf(A));
    }

    [Fact]
    public void Own_elements_are_never_removed_or_re_added_by_a_merge()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        a.Join("a/2", "t", "bob", Meta("r2"));
        Gossip(a, b);
        var staleFromB = b.Extract(B, Ctx((A, 0), (B, 0))); // includes a's elements
        a.Leave("a/2", "t", "bob");

        // b's extract for a excludes a's own elements although b has observed a's dots: a keeps alice.
        Assert.True(Transfer(b, a).IsEmpty);
        // A stale copy of bob (an own, removed element) is not resurrected.
        Assert.True(a.Merge(staleFromB).IsEmpty);
        Assert.Equal(["r1"], a.GetAll().Refs());
        Assert.Equal(3, a.ClockOf(A));
    }

    [Fact]
    public void A_remote_context_never_raises_the_own_clock_nor_teaches_unknown_replicas()
    {
        var a = NewState(A, B);
        var remote = new TrackerExtract(Ctx((A, 50), (B, 3), (C, 7)), [new Dot(C, 9), new Dot(A, 60)], []);

        a.Merge(remote);

        Assert.Equal(0, a.ClockOf(A));
        Assert.Equal(3, a.ClockOf(B));
        Assert.Null(a.StatusOf(C));
        Assert.Equal(0, a.ClockOf(C));
        Assert.Empty(a.CloudOf(C));
        Assert.Empty(a.CloudOf(A));
    }

    [Fact]
    public void Observed_removals_are_relayed_to_peers_that_missed_them()
    {
        var a = NewState(A, B, C);
        var b = NewState(B, A, C);
        var c = NewState(C, A, B);
        a.Join("a/1", "t", "alice", Meta("r1"));
        Gossip(a, b, c);
        a.Leave("a/1", "t", "alice");
        Gossip(a, b); // c misses this delta

        Assert.True(b.HasDelta);
        var relay = b.TakeDelta();
        Assert.Contains(new Dot(A, 1), relay.Clouds);
        Assert.Empty(relay.Values);

        var diff = c.Merge(relay);
        Assert.Equal(["r1"], diff.Leaves.Refs());
        Assert.Empty(c.GetAll());
        // The removal tick itself (A:2) is still missing on c: a gap a transfer will close.
        Assert.Equal(1, c.ClockOf(A));
    }

    [Fact]
    public void Deltas_of_different_replicas_commute()
    {
        var a = NewState(A, B, C);
        var b = NewState(B, A, C);
        a.Join("a/1", "t", "alice", Meta("r1"));
        b.Join("b/1", "t", "bob", Meta("r2"));
        b.Join("b/2", "u", "carol", Meta("r3"));
        var fromA = a.TakeDelta();
        var fromB = b.TakeDelta();

        var c1 = NewState(C, A, B);
        var c2 = c1.Clone();
        c1.Merge(fromA);
        c1.Merge(fromB);
        c2.Merge(fromB);
        c2.Merge(fromA);

        Assert.Equal(c1.GetAll().Views(), c2.GetAll().Views());
        Assert.Equal(c1.Clocks().Context, c2.Clocks().Context);
        Assert.Equal(["r1", "r2", "r3"], c1.GetAll().Refs());
    }

    [Fact]
    public void A_value_repeated_in_one_payload_joins_once()
    {
        var b = NewState(B, A);
        var alice = new TrackerElement("t", "a/1", "alice", Meta("r1"), new Dot(A, 1));
        var payload = new TrackerExtract(Ctx((A, 1)), [], [alice, alice]);

        Assert.Single(b.Merge(payload).Joins);
        Assert.Equal(1, b.Count);
    }

    [Fact]
    public void A_value_its_payload_does_not_cover_is_still_observed_once_joined()
    {
        var b = NewState(B, A);
        var alice = new TrackerElement("t", "a/1", "alice", Meta("r1"), new Dot(A, 1));
        var malformed = new TrackerDelta(Ctx((A, 0)), Ctx((A, 1)), [], [alice]);

        Assert.Single(b.Merge(malformed).Joins);
        Assert.True(b.Merge(malformed).IsEmpty);
        Assert.Equal(1, b.ClockOf(A));
    }

    [Fact]
    public void An_extract_restricted_to_one_replica_leaves_the_others_untouched()
    {
        var a = NewState(A, B, C);
        var c = NewState(C, A, B);
        var b = NewState(B, A, C);
        a.Join("a/1", "t", "alice", Meta("r1"));
        c.Join("c/1", "t", "carol", Meta("r3"));
        Gossip(a, b);
        Gossip(c, b);

        // b asks a with a context that only names a and b: carol is not part of the answer, and survives.
        var extract = a.Extract(B, Ctx((A, 0), (B, 0)));
        Assert.DoesNotContain(extract.Context.Keys, replica => replica == C);
        Assert.True(b.Merge(extract).IsEmpty);
        Assert.Equal(["r1", "r3"], b.GetAll().Refs());
    }

    [Fact]
    public void A_stale_version_of_a_re_tracked_element_never_replaces_the_newer_one()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("old"));
        var first = a.TakeDelta();
        a.Leave("a/1", "t", "alice");
        a.TakeDelta(); // lost
        a.Join("a/1", "t", "alice", Meta("new")); // same owner, topic and key again
        var third = a.TakeDelta();

        Assert.Equal(["new"], b.Merge(third).Joins.Refs());
        Assert.True(b.Merge(first).IsEmpty); // late and dead: the writer has replaced it since

        Assert.Equal(["new"], b.GetAll().Refs());
        Assert.True(Transfer(a, b).IsEmpty);
        Assert.Equal(["new"], b.GetAll().Refs());
    }

    [Fact]
    public void A_newer_version_of_a_re_tracked_element_replaces_the_dead_one_it_finds()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("old"));
        Gossip(a, b);
        a.Leave("a/1", "t", "alice");
        a.TakeDelta(); // lost: b still shows "old"
        a.Join("a/1", "t", "alice", Meta("new"));

        var diff = Gossip(a, b);

        Assert.Equal(["new"], diff.Joins.Refs());
        Assert.Equal(["old"], diff.Leaves.Refs());
        Assert.Equal(["new"], b.GetAll().Refs());
        Assert.Equal(1, b.Count);
    }

    [Fact]
    public void Remote_elements_can_only_be_removed_by_their_own_replica()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        Gossip(a, b);

        Assert.Empty(b.GetByOwner("a/1"));
        Assert.Empty(b.LeaveOwner("a/1"));
        Assert.Null(b.Leave("a/1", "t", "alice"));
        Assert.Null(b.LeaveJoin("a/1", "t", "alice", Meta("r2")));
        Assert.Equal(["r1"], b.GetAll().Refs());
        Assert.False(b.HasDelta);
    }
}
