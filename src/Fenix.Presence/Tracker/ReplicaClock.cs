namespace Fenix.Presence.Tracker;

/// <summary>
/// A replica's causal context as announced in its heartbeats ("clocks"): for each replica it knows and does not
/// consider down, the highest clock up to which it has observed every dot. Used to decide whom to ask for a transfer.
/// </summary>
/// <param name="Replica">The replica that owns this context.</param>
/// <param name="Context">Replica → clock. Treated as immutable once built.</param>
internal sealed record ReplicaClock(ReplicaRef Replica, IReadOnlyDictionary<ReplicaRef, long> Context);
