namespace Fenix.Presence.Tracker;

/// <summary>
/// State shipped between replicas and merged with <see cref="TrackerState.Merge"/>: either a
/// <see cref="TrackerDelta"/> (recent changes, gossiped in heartbeats) or a <see cref="TrackerExtract"/> (a full
/// state answering a transfer request). A payload owns its collections and never shares them with a live state,
/// so it may be handed to another thread or serialized at leisure.
/// </summary>
internal abstract class TrackerPayload
{
    /// <summary>Creates a payload over the given collections, which the payload then owns.</summary>
    private protected TrackerPayload(
        IReadOnlyDictionary<ReplicaRef, long> context,
        IReadOnlyList<Dot> clouds,
        IReadOnlyList<TrackerElement> values)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(clouds);
        ArgumentNullException.ThrowIfNull(values);
        Context = context;
        Clouds = clouds;
        Values = values;
    }

    /// <summary>
    /// Replica → clock such that the sender has observed every dot up to it. Empty for a delta, which speaks only
    /// through its <see cref="Clouds"/>.
    /// </summary>
    public IReadOnlyDictionary<ReplicaRef, long> Context { get; }

    /// <summary>
    /// Observed dots not covered by <see cref="Context"/>. A dot observed here but absent from <see cref="Values"/>
    /// tells the receiver that version was removed.
    /// </summary>
    public IReadOnlyList<Dot> Clouds { get; }

    /// <summary>Live elements, each carrying its dot; at most one per <see cref="ElementId"/>.</summary>
    public IReadOnlyList<TrackerElement> Values { get; }

    /// <summary>Number of values plus cloud dots: the payload's weight.</summary>
    public int Size => Values.Count + Clouds.Count;
}
