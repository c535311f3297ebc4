namespace Fenix.Presence.Tracker;

/// <summary>
/// The changes a replica made (and the removals it observed) since its previous broadcast; gossiped in heartbeats.
/// Its <see cref="TrackerPayload.Context"/> is always empty.
/// </summary>
internal sealed class TrackerDelta : TrackerPayload
{
    private static readonly IReadOnlyDictionary<ReplicaRef, long> NoContext = new Dictionary<ReplicaRef, long>();

    /// <summary>Creates a delta over the given collections, which the delta then owns.</summary>
    /// <param name="rangeStart">Sender clocks when this delta began (its own clock at the previous broadcast).</param>
    /// <param name="rangeEnd">Sender clocks when this delta was taken.</param>
    /// <param name="clouds">Every dot created or removed within the range, plus relayed removals.</param>
    /// <param name="values">Elements added within the range and still alive when it was taken.</param>
    public TrackerDelta(
        IReadOnlyDictionary<ReplicaRef, long> rangeStart,
        IReadOnlyDictionary<ReplicaRef, long> rangeEnd,
        IReadOnlyList<Dot> clouds,
        IReadOnlyList<TrackerElement> values)
        : base(NoContext, clouds, values)
    {
        ArgumentNullException.ThrowIfNull(rangeStart);
        ArgumentNullException.ThrowIfNull(rangeEnd);
        RangeStart = rangeStart;
        RangeEnd = rangeEnd;
    }

    /// <summary>Sender clocks at the start of the range (exclusive).</summary>
    public IReadOnlyDictionary<ReplicaRef, long> RangeStart { get; }

    /// <summary>Sender clocks at the end of the range (inclusive).</summary>
    public IReadOnlyDictionary<ReplicaRef, long> RangeEnd { get; }
}
