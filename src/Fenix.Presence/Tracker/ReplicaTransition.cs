namespace Fenix.Presence.Tracker;

/// <summary>What the shard must apply to its <see cref="TrackerState"/> after a liveness change.</summary>
internal enum ReplicaTransitionKind
{
    /// <summary>Call <see cref="TrackerState.ReplicaUp"/>.</summary>
    Up,

    /// <summary>Call <see cref="TrackerState.ReplicaDown"/>.</summary>
    Down,

    /// <summary>Call <see cref="TrackerState.RemoveDownReplica"/> (and drop the replica from any delta history).</summary>
    Permdown,
}

/// <summary>One liveness change of one replica, to be applied in the order given.</summary>
internal readonly record struct ReplicaTransition(ReplicaTransitionKind Kind, ReplicaRef Replica)
{
    /// <summary>The replica is (again) alive.</summary>
    public static ReplicaTransition Up(ReplicaRef replica) => new(ReplicaTransitionKind.Up, replica);

    /// <summary>The replica went silent: hide its elements.</summary>
    public static ReplicaTransition Down(ReplicaRef replica) => new(ReplicaTransitionKind.Down, replica);

    /// <summary>The replica is gone for good: purge it.</summary>
    public static ReplicaTransition Permdown(ReplicaRef replica) => new(ReplicaTransitionKind.Permdown, replica);
}
