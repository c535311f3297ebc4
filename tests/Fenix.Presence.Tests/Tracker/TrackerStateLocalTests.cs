using System.Text.Json;
using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>Local writes and reads (§8.4, §8.11) on a single replica.</summary>
public sealed class TrackerStateLocalTests
{
    [Fact]
    public void A_fresh_replica_is_empty_knows_itself_and_has_nothing_to_send()
    {
        var state = new TrackerState(A);

        Assert.Equal(0, state.Count);
        Assert.False(state.HasDelta);
        Assert.Equal([A], state.KnownReplicas);
        Assert.Equal(ReplicaStatus.Up, state.StatusOf(A));
        Assert.Null(state.StatusOf(B));
        Assert.Equal(Ctx((A, 0)), state.Clocks().Context);
        Assert.Equal(A, state.Clocks().Replica);
    }

    [Fact]
    public void Join_stores_a_visible_element_under_a_fresh_dot()
    {
        var state = new TrackerState(A);

        var first = state.Join("a/1", "room:1", "alice", Meta("r1"));
        var second = state.Join("a/2", "room:1", "bob", Meta("r2"));

        Assert.Equal(new Dot(A, 1), first.Dot);
        Assert.Equal(new Dot(A, 2), second.Dot);
        Assert.Equal(2, state.ClockOf(A));
        Assert.Equal(2, state.Count);
        Assert.True(state.Contains("a/1", "room:1", "alice"));
        Assert.Same(first, state.Find("a/1", "room:1", "alice"));
        Assert.Equal(["r1", "r2"], state.Get("room:1").Refs());
        Assert.Equal(new ElementId("room:1", "a/1", "alice"), first.Id);
        Assert.Equal(A, first.Replica);
    }

    [Fact]
    public void Joining_the_same_owner_topic_and_key_twice_is_refused_without_a_tick()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "room:1", "alice", Meta("r1"));

        var error = Assert.Throws<InvalidOperationException>(() => state.Join("a/1", "room:1", "alice", Meta("r2")));

        Assert.Contains("already tracks", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, state.ClockOf(A));
        Assert.Equal(["r1"], state.Get("room:1").Refs());
    }

    [Fact]
    public void One_owner_may_track_several_keys_and_topics_and_several_owners_may_share_a_key()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "room:1", "alice", Meta("r1"));
        state.Join("a/1", "room:1", "alice-2", Meta("r2"));
        state.Join("a/1", "room:2", "alice", Meta("r3"));
        state.Join("a/2", "room:1", "alice", Meta("r4"));

        Assert.Equal(4, state.Count);
        Assert.Equal(["r1", "r2", "r4"], state.Get("room:1").Refs());
        Assert.Equal(["r3"], state.Get("room:2").Refs());
        Assert.Equal(["r1", "r4"], state.GetByKey("room:1", "alice").Refs());
        Assert.Equal(["r1", "r2", "r3"], state.GetByOwner("a/1").Refs());
        Assert.Empty(state.Get("room:3"));
        Assert.Empty(state.GetByKey("room:1", "nobody"));
    }

    [Fact]
    public void Join_rejects_a_meta_that_is_not_an_object_without_consuming_a_tick()
    {
        var state = new TrackerState(A);

        Assert.Throws<ArgumentException>(() => state.Join("a/1", "t", "k", JsonSerializer.SerializeToElement(42)));
        Assert.Throws<ArgumentException>(() => state.Join("a/1", "t", "k", default));

        Assert.Equal(0, state.ClockOf(A));
        Assert.False(state.HasDelta);
        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void The_stored_meta_survives_the_disposal_of_the_document_it_came_from()
    {
        var state = new TrackerState(A);
        using (var document = JsonDocument.Parse("""{"phx_ref":"r1","name":"alice"}"""))
        {
            state.Join("a/1", "t", "alice", document.RootElement);
        }

        var meta = state.Get("t")[0].Meta;
        Assert.Equal("alice", meta.GetProperty("name").GetString());
    }

    [Fact]
    public void Leave_removes_the_element_and_consumes_a_tick()
    {
        var state = new TrackerState(A);
        var joined = state.Join("a/1", "t", "alice", Meta("r1"));

        var left = state.Leave("a/1", "t", "alice");

        Assert.Same(joined, left);
        Assert.Equal(2, state.ClockOf(A));
        Assert.Equal(0, state.Count);
        Assert.False(state.Contains("a/1", "t", "alice"));
        Assert.Empty(state.Get("t"));
        Assert.Empty(state.GetByOwner("a/1"));
    }

    [Fact]
    public void Leaving_something_not_tracked_returns_null_without_a_tick()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "t", "alice", Meta("r1"));

        Assert.Null(state.Leave("a/1", "t", "bob"));
        Assert.Null(state.Leave("a/2", "t", "alice"));
        Assert.Equal(1, state.ClockOf(A));
        Assert.Equal(1, state.Count);
    }

    [Fact]
    public void LeaveOwner_removes_every_element_of_the_owner_and_nothing_else()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "room:1", "alice", Meta("r1"));
        state.Join("a/1", "room:2", "alice", Meta("r2"));
        state.Join("a/2", "room:1", "bob", Meta("r3"));

        var removed = state.LeaveOwner("a/1");

        Assert.Equal(["r1", "r2"], removed.Refs());
        Assert.Equal(5, state.ClockOf(A));
        Assert.Equal(["r3"], state.GetAll().Refs());
        Assert.Empty(state.LeaveOwner("a/1"));
        Assert.Equal(5, state.ClockOf(A));
    }

    [Fact]
    public void LeaveJoin_replaces_the_meta_under_a_new_dot_two_ticks_later()
    {
        var state = new TrackerState(A);
        var old = state.Join("a/1", "t", "alice", Meta("r1", ("status", "online")));

        var update = state.LeaveJoin("a/1", "t", "alice", Meta("r2", ("status", "away")));

        Assert.NotNull(update);
        Assert.Same(old, update.Value.Left);
        Assert.Equal(new Dot(A, 3), update.Value.Joined.Dot);
        Assert.Equal(3, state.ClockOf(A));
        Assert.Equal(1, state.Count);
        Assert.Same(update.Value.Joined, state.Find("a/1", "t", "alice"));
        Assert.Equal("away", state.GetByKey("t", "alice").Single().Meta.GetProperty("status").GetString());
    }

    [Fact]
    public void LeaveJoin_of_something_not_tracked_returns_null_without_a_tick()
    {
        var state = new TrackerState(A);

        Assert.Null(state.LeaveJoin("a/1", "t", "alice", Meta("r1")));
        Assert.Equal(0, state.ClockOf(A));
        Assert.False(state.HasDelta);
    }

    [Fact]
    public void An_updated_element_still_belongs_to_its_owner()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "t", "alice", Meta("r1"));
        state.LeaveJoin("a/1", "t", "alice", Meta("r2"));

        Assert.Equal(["r2"], state.GetByOwner("a/1").Refs());
        Assert.Equal(["r2"], state.LeaveOwner("a/1").Refs());
        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void The_delta_carries_added_values_and_every_tick_and_spans_the_own_clock()
    {
        var state = new TrackerState(A);
        var alice = state.Join("a/1", "t", "alice", Meta("r1"));

        Assert.True(state.HasDelta);
        var delta = state.TakeDelta();

        Assert.Equal([alice], delta.Values);
        Assert.Equal([new Dot(A, 1)], delta.Clouds);
        Assert.Empty(delta.Context);
        Assert.Equal(Ctx((A, 0)), delta.RangeStart);
        Assert.Equal(Ctx((A, 1)), delta.RangeEnd);
        Assert.Equal(2, delta.Size);
        Assert.False(state.HasDelta);

        state.Join("a/2", "t", "bob", Meta("r2"));
        var next = state.TakeDelta();
        Assert.Equal(Ctx((A, 1)), next.RangeStart);
        Assert.Equal(Ctx((A, 2)), next.RangeEnd);
    }

    [Fact]
    public void A_join_and_leave_in_the_same_period_travel_as_dots_without_value()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "t", "alice", Meta("r1"));
        state.Leave("a/1", "t", "alice");

        var delta = state.TakeDelta();

        Assert.Empty(delta.Values);
        Assert.Equal([new Dot(A, 1), new Dot(A, 2)], delta.Clouds.OrderBy(d => d.Clock));
    }

    [Fact]
    public void An_update_delta_retires_the_old_dot_and_carries_only_the_new_value()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "t", "alice", Meta("r1"));
        state.TakeDelta();
        state.LeaveJoin("a/1", "t", "alice", Meta("r2"));

        var delta = state.TakeDelta();

        Assert.Equal(["r2"], delta.Values.Refs());
        Assert.Equal([new Dot(A, 1), new Dot(A, 2), new Dot(A, 3)], delta.Clouds.OrderBy(d => d.Clock));
    }

    [Fact]
    public void A_taken_delta_is_a_snapshot_later_writes_do_not_touch()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "t", "alice", Meta("r1"));
        var delta = state.TakeDelta();

        state.Join("a/2", "t", "bob", Meta("r2"));
        state.Leave("a/1", "t", "alice");
        state.TakeDelta();

        Assert.Equal(["r1"], delta.Values.Refs());
        Assert.Equal([new Dot(A, 1)], delta.Clouds);
        Assert.Equal(Ctx((A, 1)), delta.RangeEnd);
    }

    [Fact]
    public void Reads_return_snapshots()
    {
        var state = new TrackerState(A);
        state.Join("a/1", "t", "alice", Meta("r1"));
        var before = state.Get("t");

        state.Join("a/2", "t", "bob", Meta("r2"));
        state.Leave("a/1", "t", "alice");

        Assert.Equal(["r1"], before.Refs());
    }
}
