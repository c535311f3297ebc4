namespace Fenix.Presence.Tracker;

/// <summary>
/// A replica's full state restricted to the replicas a requester knows: the answer to a transfer request, used to
/// bootstrap a new node and to repair the gaps lost deltas leave.
/// </summary>
internal sealed class TrackerExtract : TrackerPayload
{
    /// <summary>Creates an extract over the given collections, which the extract then owns.</summary>
    public TrackerExtract(
        IReadOnlyDictionary<ReplicaRef, long> context,
        IReadOnlyList<Dot> clouds,
        IReadOnlyList<TrackerElement> values)
        : base(context, clouds, values)
    {
    }
}
