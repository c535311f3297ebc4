namespace Fenix.Presence.Tracker;

/// <summary>
/// The visible effect of one CRDT operation: elements that appeared and elements that disappeared, in no particular
/// order. An update shows up as the old version in <see cref="Leaves"/> and the new one in <see cref="Joins"/>.
/// Elements of replicas marked down are never reported (they are hidden; their return reports them).
/// </summary>
internal sealed class TrackerDiff
{
    /// <summary>A diff with no joins and no leaves.</summary>
    public static TrackerDiff Empty { get; } = new([], []);

    /// <summary>Creates a diff over the given lists, which the diff then owns.</summary>
    public TrackerDiff(IReadOnlyList<TrackerElement> joins, IReadOnlyList<TrackerElement> leaves)
    {
        Joins = joins;
        Leaves = leaves;
    }

    /// <summary>Elements that became visible.</summary>
    public IReadOnlyList<TrackerElement> Joins { get; }

    /// <summary>Elements that stopped being visible.</summary>
    public IReadOnlyList<TrackerElement> Leaves { get; }

    /// <summary>True when nothing changed visibly.</summary>
    public bool IsEmpty => Joins.Count == 0 && Leaves.Count == 0;
}
