using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>Replica up, down and permdown as seen by the CRDT (§8.8, §8.11).</summary>
public sealed class TrackerStateReplicaTests
{
    /// <summary>c knows alice (from a), bob (from b) and its own carol.</summary>
    private static (TrackerState A, TrackerState B, TrackerState C) ThreeReplicas()
    {
        var a = NewState(A, B, C);
        var b = NewState(B, A, C);
        var c = NewState(C, A, B);
        a.Join("a/1", "t", "alice", Meta("ra"));
        a.Join("a/2", "u", "alice", Meta("ra2"));
        b.Join("b/1", "t", "bob", Meta("rb"));
        c.Join("c/1", "t", "carol", Meta("rc"));
        Gossip(a, b, c);
        Gossip(b, a, c);
        Gossip(c, a, b);
        return (a, b, c);
    }

    [Fact]
    public void Down_hides_exactly_that_replicas_elements_and_reports_them_as_leaves()
    {
        var (_, _, c) = ThreeReplicas();

        var diff = c.ReplicaDown(A);

        Assert.Empty(diff.Joins);
        Assert.Equal(["ra", "ra2"], diff.Leaves.Refs());
        Assert.Equal(["rb", "rc"], c.Get("t").Refs());
        Assert.Empty(c.Get("u"));
        Assert.Empty(c.GetByKey("t", "alice"));
        Assert.Equal(["rb", "rc"], c.GetAll().Refs());
        Assert.Equal(4, c.Count); // kept for a quick return
        Assert.NotNull(c.Find("a/1", "t", "alice"));
        Assert.Equal(ReplicaStatus.Down, c.StatusOf(A));
    }

    [Fact]
    public void Down_replicas_are_left_out_of_the_announced_clocks()
    {
        var (_, _, c) = ThreeReplicas();
        c.ReplicaDown(A);

        Assert.Equal(Ctx((B, 1), (C, 1)), c.Clocks().Context);
        Assert.Equal(2, c.ClockOf(A));
    }

    [Fact]
    public void Down_is_a_no_op_for_unknown_or_already_down_replicas()
    {
        var (_, _, c) = ThreeReplicas();
        c.ReplicaDown(A);

        Assert.True(c.ReplicaDown(A).IsEmpty);
        var stranger = new ReplicaRef("x", 1);
        Assert.True(c.ReplicaDown(stranger).IsEmpty);
        Assert.Null(c.StatusOf(stranger));
    }

    [Fact]
    public void Up_after_down_brings_the_elements_back_as_joins()
    {
        var (_, _, c) = ThreeReplicas();
        c.ReplicaDown(A);

        var diff = c.ReplicaUp(A);

        Assert.Equal(["ra", "ra2"], diff.Joins.Refs());
        Assert.Empty(diff.Leaves);
        Assert.Equal(["ra", "rb", "rc"], c.Get("t").Refs());
        Assert.Equal(ReplicaStatus.Up, c.StatusOf(A));
    }

    [Fact]
    public void Up_of_a_replica_already_up_reports_nothing()
    {
        var (_, _, c) = ThreeReplicas();

        Assert.True(c.ReplicaUp(A).IsEmpty);
        Assert.Equal(4, c.GetAll().Count);
    }

    [Fact]
    public void Changes_merged_while_a_replica_is_down_are_silent_and_surface_on_its_return()
    {
        var (a, _, c) = ThreeReplicas();
        c.ReplicaDown(A);
        a.Leave("a/1", "t", "alice");
        a.Join("a/3", "t", "dave", Meta("rd"));

        Assert.True(Gossip(a, c).IsEmpty);
        Assert.Empty(c.GetByKey("t", "dave"));

        var diff = c.ReplicaUp(A);
        Assert.Equal(["ra2", "rd"], diff.Joins.Refs());
        Assert.Equal(["rb", "rc", "rd"], c.Get("t").Refs());
    }

    [Fact]
    public void Permdown_of_a_down_replica_purges_it_silently()
    {
        var (_, _, c) = ThreeReplicas();
        c.ReplicaDown(A);

        Assert.True(c.RemoveDownReplica(A).IsEmpty);

        Assert.Equal(2, c.Count);
        Assert.Null(c.Find("a/1", "t", "alice"));
        Assert.Null(c.StatusOf(A));
        Assert.Equal(0, c.ClockOf(A));
        Assert.DoesNotContain(A, c.KnownReplicas);
        Assert.Equal(["rb", "rc"], c.GetAll().Refs());
        // Nothing to bring back any more.
        Assert.True(c.ReplicaUp(A).IsEmpty);
        Assert.Equal(2, c.Count);
    }

    [Fact]
    public void Permdown_of_a_replica_still_up_reports_its_elements_as_leaves()
    {
        var (_, _, c) = ThreeReplicas();

        var diff = c.RemoveDownReplica(A);

        Assert.Equal(["ra", "ra2"], diff.Leaves.Refs());
        Assert.Equal(["rb", "rc"], c.GetAll().Refs());
    }

    [Fact]
    public void Permdown_drops_the_replicas_gap_and_its_relayed_removals_from_the_pending_delta()
    {
        var (a, b, c) = ThreeReplicas();
        a.Leave("a/1", "t", "alice");
        a.TakeDelta(); // c misses it...
        a.Join("a/4", "t", "erin", Meta("re"));
        Gossip(a, c); // ...so c has a gap for a
        Assert.NotEmpty(c.CloudOf(A));
        a.Leave("a/2", "u", "alice");
        Gossip(a, b);
        Assert.True(b.HasDelta); // b relays a's removals

        c.ReplicaDown(A);
        c.RemoveDownReplica(A);
        b.ReplicaDown(A);
        b.RemoveDownReplica(A);

        Assert.Empty(c.CloudOf(A));
        Assert.False(b.HasDelta);
        Assert.DoesNotContain(b.TakeDelta().Clouds, dot => dot.Replica == A);
    }

    [Fact]
    public void After_permdown_the_replicas_dots_are_refused_until_it_is_up_again()
    {
        var (a, _, c) = ThreeReplicas();
        c.ReplicaDown(A);
        c.RemoveDownReplica(A);
        a.Join("a/3", "t", "dave", Meta("rd"));
        var delta = a.TakeDelta();

        Assert.True(c.Merge(delta).IsEmpty);
        Assert.Equal(2, c.Count);

        c.ReplicaUp(A);
        Assert.Equal(["rd"], c.Merge(delta).Joins.Refs());
        // Everything older is a gap only a transfer closes.
        Assert.Equal(0, c.ClockOf(A));
        Assert.Equal(["ra", "ra2"], Transfer(a, c).Joins.Refs());
        Assert.Equal(3, c.ClockOf(A));
    }

    [Fact]
    public void The_own_replica_cannot_go_up_down_or_away()
    {
        var state = new TrackerState(A);
        Assert.Throws<ArgumentException>(() => state.ReplicaDown(A));
        Assert.Throws<ArgumentException>(() => state.ReplicaUp(A));
        Assert.Throws<ArgumentException>(() => state.RemoveDownReplica(A));
    }

    [Fact]
    public void Local_elements_stay_visible_whatever_happens_to_peers()
    {
        var (_, _, c) = ThreeReplicas();
        c.ReplicaDown(A);
        c.ReplicaDown(B);
        c.RemoveDownReplica(B);

        Assert.Equal(["rc"], c.GetAll().Refs());
        Assert.Equal(Ctx((C, 1)), c.Clocks().Context);
    }
}
