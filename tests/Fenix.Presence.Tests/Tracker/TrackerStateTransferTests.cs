using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>Full-state transfers (§8.9), gap repair, and the independence of snapshots and clones.</summary>
public sealed class TrackerStateTransferTests
{
    [Fact]
    public void An_extract_is_restricted_to_the_replicas_the_requester_knows()
    {
        var a = NewState(A, B, C);
        var b = NewState(B, A, C);
        var c = NewState(C, A, B);
        b.Join("b/1", "t", "bob", Meta("rb"));
        c.Join("c/1", "t", "carol", Meta("rc"));
        c.Join("c/2", "t", "carl", Meta("rc2"));
        c.Leave("c/1", "t", "carol");
        c.TakeDelta(); // lost
        c.Join("c/3", "t", "cid", Meta("rc3"));
        Gossip(b, a);
        Gossip(c, a); // a has a gap for c
        Assert.NotEmpty(a.CloudOf(C));

        var forNewcomer = a.Extract(new ReplicaRef("n", 1), Ctx((new ReplicaRef("n", 1), 0), (A, 0), (B, 0)));

        Assert.Equal(Ctx((A, 0), (B, 1)), forNewcomer.Context);
        Assert.Empty(forNewcomer.Clouds);
        Assert.Equal(["rb"], forNewcomer.Values.Refs());

        var forB = a.Extract(b.Clocks());
        Assert.Equal(Ctx((A, 0), (B, 1), (C, 0)), forB.Context);
        Assert.Equal([new Dot(C, 4)], forB.Clouds);
        Assert.Equal(["rc3"], forB.Values.Refs()); // b's own bob is left out
    }

    [Fact]
    public void An_extract_includes_hidden_elements_of_replicas_the_requester_knows()
    {
        var a = NewState(A, B, C);
        var c = NewState(C, A, B);
        var b = NewState(B, A, C);
        c.Join("c/1", "t", "carol", Meta("rc"));
        Gossip(c, a);
        a.ReplicaDown(C);

        var extract = a.Extract(b.Clocks());

        Assert.Equal(["rc"], extract.Values.Refs());
        Assert.Equal(["rc"], b.Merge(extract).Joins.Refs());
    }

    [Fact]
    public void A_lost_delta_leaves_a_gap_that_sampling_detects_and_a_transfer_repairs()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        a.Join("a/2", "t", "bob", Meta("r2"));
        Gossip(a, b);
        a.Leave("a/1", "t", "alice");
        a.Join("a/3", "t", "carol", Meta("r3"));
        a.TakeDelta(); // lost
        a.Join("a/4", "t", "dave", Meta("r4"));
        Gossip(a, b);

        Assert.Equal(2, b.ClockOf(A));
        Assert.Equal([5L], b.CloudOf(A));
        Assert.Equal(["r1", "r2", "r4"], b.GetAll().Refs());
        Assert.Equal([A], Clock.ReplicasToSync([a.Clocks()], b.Clocks()));

        var diff = Transfer(a, b);

        Assert.Equal(["r3"], diff.Joins.Refs());
        Assert.Equal(["r1"], diff.Leaves.Refs());
        Assert.Equal(["r2", "r3", "r4"], b.GetAll().Refs());
        Assert.Equal(5, b.ClockOf(A));
        Assert.Empty(b.CloudOf(A));
        Assert.Empty(Clock.ReplicasToSync([a.Clocks()], b.Clocks()));
    }

    [Fact]
    public void A_new_replica_bootstraps_from_the_most_advanced_peer()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("ra"));
        b.Join("b/1", "t", "bob", Meta("rb"));
        b.Join("b/2", "u", "bea", Meta("rb2"));
        Gossip(a, b);
        Gossip(b, a);
        b.Join("b/3", "u", "bo", Meta("rb3"));
        Gossip(b); // a misses it: b is now the most advanced

        var c = NewState(C, A, B);
        var clockset = Clock.AppendClock(Clock.AppendClock([], a.Clocks()), b.Clocks());
        var askFrom = Clock.ReplicasToSync(clockset, c.Clocks());
        Assert.Equal([B], askFrom);

        var diff = Transfer(b, c);

        Assert.Equal(["ra", "rb", "rb2", "rb3"], diff.Joins.Refs());
        Assert.Equal(a.ClockOf(A), c.ClockOf(A));
        Assert.Equal(b.ClockOf(B), c.ClockOf(B));
        Assert.Empty(Clock.ReplicasToSync(Clock.AppendClock([], b.Clocks()), c.Clocks()));
    }

    [Fact]
    public void An_extract_is_a_snapshot_later_writes_do_not_touch()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        var extract = a.Extract(b.Clocks());

        a.Join("a/2", "t", "bob", Meta("r2"));
        a.Leave("a/1", "t", "alice");
        b.Merge(extract);
        b.Merge(a.TakeDelta());

        Assert.Equal(["r1"], extract.Values.Refs());
        Assert.Equal(Ctx((A, 1), (B, 0)), extract.Context);
        Assert.Equal(["r2"], b.GetAll().Refs());
    }

    [Fact]
    public void A_clone_is_an_independent_fork()
    {
        var original = NewState(A, B);
        var b = NewState(B, A);
        b.Join("b/1", "t", "bob", Meta("rb"));
        original.Join("a/1", "t", "alice", Meta("ra"));
        Gossip(b, original);

        var fork = original.Clone();
        fork.Join("a/2", "t", "al", Meta("ra2"));
        fork.Leave("a/1", "t", "alice");
        fork.ReplicaDown(B);
        fork.TakeDelta();

        Assert.Equal(["ra", "rb"], original.GetAll().Refs());
        Assert.Equal(1, original.ClockOf(A));
        Assert.Equal(ReplicaStatus.Up, original.StatusOf(B));
        Assert.True(original.HasDelta);
        Assert.Equal(["ra"], original.GetByOwner("a/1").Refs());
        Assert.Equal(["ra"], original.TakeDelta().Values.Refs());

        Assert.Equal(["ra2"], fork.GetAll().Refs());
        Assert.Equal(3, fork.ClockOf(A));
        Assert.Equal(2, fork.Count);
    }

    [Fact]
    public void Merging_into_a_clone_leaves_the_original_alone()
    {
        var a = NewState(A, B);
        var b = NewState(B, A);
        a.Join("a/1", "t", "alice", Meta("r1"));
        var fork = b.Clone();

        fork.Merge(a.TakeDelta());

        Assert.Empty(b.GetAll());
        Assert.Equal(0, b.ClockOf(A));
        Assert.Equal(["r1"], fork.GetAll().Refs());
    }
}
