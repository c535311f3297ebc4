namespace Fenix.Presence.Tracker;

/// <summary>
/// Liveness bookkeeping of the peers of one replica (§8.7 step 3, §8.8 step 1, §8.11): one record per peer node
/// name, tracking that node's latest incarnation. Pure: time is passed in, and every event returns the transitions
/// the caller must apply to its <see cref="TrackerState"/>, in order.
/// </summary>
internal sealed class ReplicaRegistry
{
    /// <summary>Node name → latest incarnation heard of. Never contains <see cref="Self"/>'s name.</summary>
    private readonly Dictionary<string, ReplicaRecord> _records;

    /// <summary>Creates an empty registry for the replica <paramref name="self"/>, whose own messages are ignored.</summary>
    public ReplicaRegistry(ReplicaRef self)
    {
        ArgumentNullException.ThrowIfNull(self.Name, nameof(self));
        Self = self;
        _records = new Dictionary<string, ReplicaRecord>(StringComparer.Ordinal);
    }

    /// <summary>The replica owning this registry.</summary>
    public ReplicaRef Self { get; }

    /// <summary>Number of peers currently remembered (up or down).</summary>
    public int Count => _records.Count;

    /// <summary>A snapshot of the records.</summary>
    public IReadOnlyList<ReplicaRecord> Records => [.. _records.Values];

    /// <summary>The record of a peer node, if any.</summary>
    public bool TryGet(string name, out ReplicaRecord record) => _records.TryGetValue(name, out record);

    /// <summary>
    /// A heartbeat arrived from <paramref name="sender"/>: refresh its record and report the transitions.
    /// Unknown node → Up. Same incarnation: nothing if up, Up if it was down (a healed netsplit). A new incarnation
    /// (the node restarted): Down + Permdown of the old one if it was up, Permdown if it was down, then Up.
    /// </summary>
    public IReadOnlyList<ReplicaTransition> OnHeartbeat(ReplicaRef sender, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(sender.Name, nameof(sender));
        if (IsSelf(sender))
        {
            return [];
        }

        var exists = _records.TryGetValue(sender.Name, out var previous);
        _records[sender.Name] = new ReplicaRecord(sender, nowMs, ReplicaStatus.Up);
        if (!exists)
        {
            return [ReplicaTransition.Up(sender)];
        }

        if (previous.Replica == sender)
        {
            return previous.Status == ReplicaStatus.Up ? [] : [ReplicaTransition.Up(sender)];
        }

        return previous.Status == ReplicaStatus.Up
            ? [ReplicaTransition.Down(previous.Replica), ReplicaTransition.Permdown(previous.Replica), ReplicaTransition.Up(sender)]
            : [ReplicaTransition.Permdown(previous.Replica), ReplicaTransition.Up(sender)];
    }

    /// <summary>
    /// The periodic failure check: a peer silent for longer than <paramref name="permdownPeriod"/> is permanently
    /// down (Down first if it was still up) and forgotten; one silent for longer than <paramref name="downPeriod"/>
    /// and still up goes Down.
    /// </summary>
    public IReadOnlyList<ReplicaTransition> DetectFailures(long nowMs, TimeSpan downPeriod, TimeSpan permdownPeriod)
    {
        if (permdownPeriod <= downPeriod)
        {
            throw new ArgumentException(
                $"The permdown period ({permdownPeriod}) must be longer than the down period ({downPeriod}).", nameof(permdownPeriod));
        }

        var downMs = (long)downPeriod.TotalMilliseconds;
        var permdownMs = (long)permdownPeriod.TotalMilliseconds;
        List<ReplicaTransition>? transitions = null;
        List<string>? forgotten = null;
        foreach (var (name, record) in _records)
        {
            var silence = nowMs - record.LastHeartbeatAtMs;
            if (silence > permdownMs)
            {
                transitions ??= [];
                if (record.Status == ReplicaStatus.Up)
                {
                    transitions.Add(ReplicaTransition.Down(record.Replica));
                }

                transitions.Add(ReplicaTransition.Permdown(record.Replica));
                (forgotten ??= []).Add(name);
            }
            else if (silence > downMs && record.Status == ReplicaStatus.Up)
            {
                (transitions ??= []).Add(ReplicaTransition.Down(record.Replica));
            }
        }

        if (transitions is null)
        {
            return [];
        }

        foreach (var transition in transitions)
        {
            if (transition.Kind == ReplicaTransitionKind.Down)
            {
                var record = _records[transition.Replica.Name];
                _records[transition.Replica.Name] = record with { Status = ReplicaStatus.Down };
            }
        }

        if (forgotten is not null)
        {
            foreach (var name in forgotten)
            {
                _records.Remove(name);
            }
        }

        return transitions;
    }

    /// <summary>
    /// A peer announced a clean shutdown: if that exact incarnation is known, it goes Down (when up) and Permdown at
    /// once, so its users leave now instead of after the down period. A stale or unknown incarnation is ignored.
    /// </summary>
    public IReadOnlyList<ReplicaTransition> OnGracefulPermdown(ReplicaRef sender)
    {
        ArgumentNullException.ThrowIfNull(sender.Name, nameof(sender));
        if (!_records.TryGetValue(sender.Name, out var record) || record.Replica != sender)
        {
            return [];
        }

        _records.Remove(sender.Name);
        return record.Status == ReplicaStatus.Up
            ? [ReplicaTransition.Down(sender), ReplicaTransition.Permdown(sender)]
            : [ReplicaTransition.Permdown(sender)];
    }

    private bool IsSelf(ReplicaRef sender) => string.Equals(sender.Name, Self.Name, StringComparison.Ordinal);
}
