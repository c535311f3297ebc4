namespace Fenix.Presence.Tracker;

/// <summary>
/// One event of one replica: the <paramref name="Clock"/>-th tick of <paramref name="Replica"/> (clocks start at 1).
/// Every add and every remove consumes a dot, so a dot names exactly one version of one element.
/// </summary>
internal readonly record struct Dot(ReplicaRef Replica, long Clock)
{
    /// <inheritdoc />
    public override string ToString() => $"{Replica}:{Clock}";
}
