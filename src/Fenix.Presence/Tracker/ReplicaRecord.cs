namespace Fenix.Presence.Tracker;

/// <summary>What a node remembers about the latest incarnation of a peer it has heard from.</summary>
/// <param name="Replica">The peer's current identity (its name and the version of its latest start).</param>
/// <param name="LastHeartbeatAtMs">When its last heartbeat arrived, on the caller's monotonic millisecond clock.</param>
/// <param name="Status">Up while it keeps talking; Down after the down period of silence.</param>
internal readonly record struct ReplicaRecord(ReplicaRef Replica, long LastHeartbeatAtMs, ReplicaStatus Status);
