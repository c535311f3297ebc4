using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>Liveness transitions: heartbeats (§8.8 step 1), failure detection (§8.7 step 3), graceful permdown (§8.11).</summary>
public sealed class ReplicaRegistryTests
{
    private static readonly TimeSpan DownPeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PermdownPeriod = TimeSpan.FromMinutes(20);
    private static readonly ReplicaRef BRestarted = new("b", 201);

    private static ReplicaRegistry Registry() => new(A);

    [Fact]
    public void The_first_heartbeat_of_a_node_brings_it_up()
    {
        var registry = Registry();

        var transitions = registry.OnHeartbeat(B, nowMs: 1_000);

        Assert.Equal([ReplicaTransition.Up(B)], transitions);
        Assert.True(registry.TryGet("b", out var record));
        Assert.Equal(new ReplicaRecord(B, 1_000, ReplicaStatus.Up), record);
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public void Further_heartbeats_of_a_live_replica_only_refresh_it()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 1_000);

        Assert.Empty(registry.OnHeartbeat(B, 2_000));
        Assert.True(registry.TryGet("b", out var record));
        Assert.Equal(2_000, record.LastHeartbeatAtMs);
    }

    [Fact]
    public void Own_heartbeats_are_ignored_whatever_the_version()
    {
        var registry = Registry();

        Assert.Empty(registry.OnHeartbeat(A, 1_000));
        Assert.Empty(registry.OnHeartbeat(A with { Vsn = 1 }, 1_000));
        Assert.Equal(0, registry.Count);
    }

    [Fact]
    public void Silence_longer_than_the_down_period_takes_a_replica_down_once()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);

        Assert.Empty(registry.DetectFailures(30_000, DownPeriod, PermdownPeriod)); // exactly the period: still up
        Assert.Equal([ReplicaTransition.Down(B)], registry.DetectFailures(30_001, DownPeriod, PermdownPeriod));
        Assert.Empty(registry.DetectFailures(60_000, DownPeriod, PermdownPeriod));
        Assert.True(registry.TryGet("b", out var record));
        Assert.Equal(ReplicaStatus.Down, record.Status);
    }

    [Fact]
    public void The_same_incarnation_heard_again_after_down_comes_back_up()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);
        registry.DetectFailures(40_000, DownPeriod, PermdownPeriod);

        Assert.Equal([ReplicaTransition.Up(B)], registry.OnHeartbeat(B, 41_000));
        Assert.Empty(registry.DetectFailures(60_000, DownPeriod, PermdownPeriod));
    }

    [Fact]
    public void Silence_longer_than_the_permdown_period_purges_a_down_replica()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);
        registry.DetectFailures(40_000, DownPeriod, PermdownPeriod);

        Assert.Empty(registry.DetectFailures(1_200_000, DownPeriod, PermdownPeriod));
        Assert.Equal([ReplicaTransition.Permdown(B)], registry.DetectFailures(1_200_001, DownPeriod, PermdownPeriod));
        Assert.False(registry.TryGet("b", out _));
        Assert.Empty(registry.DetectFailures(5_000_000, DownPeriod, PermdownPeriod));
    }

    [Fact]
    public void A_replica_first_checked_after_the_permdown_period_goes_down_then_away()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);
        registry.OnHeartbeat(C, 1_000_000);

        var transitions = registry.DetectFailures(1_200_001, DownPeriod, PermdownPeriod);

        Assert.Equal([ReplicaTransition.Down(B), ReplicaTransition.Permdown(B), ReplicaTransition.Down(C)], transitions);
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public void A_forgotten_node_heard_again_is_new()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);
        registry.DetectFailures(2_000_000, DownPeriod, PermdownPeriod);

        Assert.Equal([ReplicaTransition.Up(B)], registry.OnHeartbeat(B, 2_000_001));
    }

    [Fact]
    public void A_restarted_node_replaces_its_live_previous_incarnation()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);

        var transitions = registry.OnHeartbeat(BRestarted, 5_000);

        Assert.Equal(
            [ReplicaTransition.Down(B), ReplicaTransition.Permdown(B), ReplicaTransition.Up(BRestarted)],
            transitions);
        Assert.True(registry.TryGet("b", out var record));
        Assert.Equal(new ReplicaRecord(BRestarted, 5_000, ReplicaStatus.Up), record);
    }

    [Fact]
    public void A_restarted_node_replaces_its_down_previous_incarnation_without_a_second_down()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);
        registry.DetectFailures(40_000, DownPeriod, PermdownPeriod);

        var transitions = registry.OnHeartbeat(BRestarted, 50_000);

        Assert.Equal([ReplicaTransition.Permdown(B), ReplicaTransition.Up(BRestarted)], transitions);
    }

    [Fact]
    public void Graceful_permdown_of_the_known_incarnation_takes_it_down_and_away_at_once()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);

        Assert.Equal([ReplicaTransition.Down(B), ReplicaTransition.Permdown(B)], registry.OnGracefulPermdown(B));
        Assert.False(registry.TryGet("b", out _));
        Assert.Empty(registry.OnGracefulPermdown(B));
    }

    [Fact]
    public void Graceful_permdown_of_a_down_incarnation_only_purges_it()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);
        registry.DetectFailures(40_000, DownPeriod, PermdownPeriod);

        Assert.Equal([ReplicaTransition.Permdown(B)], registry.OnGracefulPermdown(B));
    }

    [Fact]
    public void Graceful_permdown_of_another_incarnation_or_unknown_node_is_ignored()
    {
        var registry = Registry();
        registry.OnHeartbeat(BRestarted, 0);

        Assert.Empty(registry.OnGracefulPermdown(B));
        Assert.Empty(registry.OnGracefulPermdown(C));
        Assert.True(registry.TryGet("b", out var record));
        Assert.Equal(BRestarted, record.Replica);
    }

    [Fact]
    public void Records_are_a_snapshot()
    {
        var registry = Registry();
        registry.OnHeartbeat(B, 0);
        var records = registry.Records;

        registry.OnHeartbeat(C, 1);

        Assert.Equal([new ReplicaRecord(B, 0, ReplicaStatus.Up)], records);
        Assert.Equal(2, registry.Records.Count);
    }

    [Fact]
    public void A_permdown_period_not_longer_than_the_down_period_is_refused()
    {
        var registry = Registry();
        var error = Assert.Throws<ArgumentException>(() => registry.DetectFailures(0, DownPeriod, DownPeriod));
        Assert.Contains("must be longer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transitions_drive_the_state_through_a_restart()
    {
        // The restarted node's old entries disappear at once; its new ones arrive with its deltas.
        var registry = new ReplicaRegistry(A);
        var a = new TrackerState(A);
        var oldB = new TrackerState(B);
        Apply(a, registry.OnHeartbeat(B, 0));
        oldB.ReplicaUp(A);
        oldB.Join("b/1", "t", "bob", Meta("old"));
        Assert.Equal(["old"], a.Merge(oldB.TakeDelta()).Joins.Refs());

        var newB = NewState(BRestarted, A);
        newB.Join("b/1", "t", "bob", Meta("new"));
        var restart = Apply(a, registry.OnHeartbeat(BRestarted, 1_000));
        var merged = a.Merge(newB.TakeDelta());

        Assert.Equal(["old"], restart.Leaves.Refs());
        Assert.Empty(restart.Joins);
        Assert.Equal(["new"], merged.Joins.Refs());
        Assert.Empty(merged.Leaves);
        Assert.Equal(["new"], a.GetAll().Refs());
        Assert.Null(a.StatusOf(B));
    }

    /// <summary>Applies transitions in order, as the shard does, and returns the combined diff.</summary>
    private static TrackerDiff Apply(TrackerState state, IReadOnlyList<ReplicaTransition> transitions)
    {
        var joins = new List<TrackerElement>();
        var leaves = new List<TrackerElement>();
        foreach (var transition in transitions)
        {
            var diff = transition.Kind switch
            {
                ReplicaTransitionKind.Up => state.ReplicaUp(transition.Replica),
                ReplicaTransitionKind.Down => state.ReplicaDown(transition.Replica),
                _ => state.RemoveDownReplica(transition.Replica),
            };
            joins.AddRange(diff.Joins);
            leaves.AddRange(diff.Leaves);
        }

        return new TrackerDiff(joins, leaves);
    }
}
