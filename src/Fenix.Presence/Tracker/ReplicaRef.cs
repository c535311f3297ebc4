namespace Fenix.Presence.Tracker;

/// <summary>
/// The identity of one tracker replica: the node's name plus a version unique to each start of the shard.
/// A restarted node is a different replica (same <see cref="Name"/>, new <see cref="Vsn"/>), which is how
/// peers tell a netsplit heal (same identity comes back) from a restart (old identity must be purged).
/// </summary>
internal readonly record struct ReplicaRef(string Name, long Vsn)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}@{Vsn}";
}
