namespace Fenix.Presence.Tracker;

/// <summary>Liveness of a replica as seen by this node.</summary>
internal enum ReplicaStatus
{
    /// <summary>Heard from recently: its elements are visible.</summary>
    Up,

    /// <summary>Silent for longer than the down period: its elements are kept (for a fast return) but hidden.</summary>
    Down,
}
