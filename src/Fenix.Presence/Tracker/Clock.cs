namespace Fenix.Presence.Tracker;

/// <summary>
/// Comparisons of causal contexts (replica → clock maps, a missing replica counting as 0) and the clockset
/// reduction that picks the peers worth asking for a transfer.
/// </summary>
internal static class Clock
{
    /// <summary>
    /// True when <paramref name="a"/> has seen everything <paramref name="b"/> has: it names at least as many replicas
    /// and is at least as high on every replica of <paramref name="b"/>. Equal contexts dominate each other.
    /// </summary>
    public static bool Dominates(IReadOnlyDictionary<ReplicaRef, long> a, IReadOnlyDictionary<ReplicaRef, long> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count < b.Count)
        {
            return false;
        }

        foreach (var (replica, clock) in b)
        {
            if (ClockOf(a, replica) < clock)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="a"/> is at least as high as <paramref name="b"/> on every replica that
    /// <paramref name="a"/> names; replicas only <paramref name="b"/> names are not compared. An empty
    /// <paramref name="a"/> qualifies only against an empty <paramref name="b"/>. Used to compare delta ranges.
    /// </summary>
    public static bool DominatesOrEqual(IReadOnlyDictionary<ReplicaRef, long> a, IReadOnlyDictionary<ReplicaRef, long> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0)
        {
            return b.Count == 0;
        }

        foreach (var (replica, clock) in a)
        {
            if (clock < ClockOf(b, replica))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Pointwise maximum over the union of replicas.</summary>
    public static Dictionary<ReplicaRef, long> UpperBound(IReadOnlyDictionary<ReplicaRef, long> a, IReadOnlyDictionary<ReplicaRef, long> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var result = new Dictionary<ReplicaRef, long>(a);
        foreach (var (replica, clock) in b)
        {
            if (!result.TryGetValue(replica, out var mine) || mine < clock)
            {
                result[replica] = clock;
            }
        }

        return result;
    }

    /// <summary>Pointwise minimum over the union of replicas (a replica only one side names keeps that side's clock).</summary>
    public static Dictionary<ReplicaRef, long> LowerBound(IReadOnlyDictionary<ReplicaRef, long> a, IReadOnlyDictionary<ReplicaRef, long> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var result = new Dictionary<ReplicaRef, long>(a);
        foreach (var (replica, clock) in b)
        {
            if (!result.TryGetValue(replica, out var mine) || mine > clock)
            {
                result[replica] = clock;
            }
        }

        return result;
    }

    /// <summary>
    /// Adds a sampled clock to a clockset, keeping only clocks no other member dominates. An empty context is
    /// ignored; a clock dominating every member's combined maximum replaces the whole set; a clock that maximum
    /// dominates changes nothing; otherwise members the clock dominates are dropped and it joins the survivors unless
    /// one of them dominates it. <paramref name="clockset"/> is never modified: the result is a new list, or the
    /// input itself when nothing changes.
    /// </summary>
    public static IReadOnlyList<ReplicaClock> AppendClock(IReadOnlyList<ReplicaClock> clockset, ReplicaClock clock)
    {
        ArgumentNullException.ThrowIfNull(clockset);
        ArgumentNullException.ThrowIfNull(clock);
        if (clock.Context.Count == 0)
        {
            return clockset;
        }

        var combined = new Dictionary<ReplicaRef, long>();
        foreach (var member in clockset)
        {
            foreach (var (replica, value) in member.Context)
            {
                if (!combined.TryGetValue(replica, out var mine) || mine < value)
                {
                    combined[replica] = value;
                }
            }
        }

        if (Dominates(clock.Context, combined))
        {
            return [clock];
        }

        if (Dominates(combined, clock.Context))
        {
            return clockset;
        }

        var kept = new List<ReplicaClock>(clockset.Count + 1);
        var insert = false;
        foreach (var member in clockset)
        {
            if (Dominates(clock.Context, member.Context))
            {
                insert = true;
                continue;
            }

            kept.Add(member);
            insert |= !Dominates(member.Context, clock.Context);
        }

        if (insert)
        {
            kept.Add(clock);
        }

        return kept;
    }

    /// <summary>
    /// The peers to request a transfer from at a sampling boundary: the replicas of the clocks that survive adding
    /// our own clock to the sampled set, without ourselves and without duplicates. Empty when we are up to date.
    /// </summary>
    public static IReadOnlyList<ReplicaRef> ReplicasToSync(IReadOnlyList<ReplicaClock> pendingClockset, ReplicaClock own)
    {
        ArgumentNullException.ThrowIfNull(pendingClockset);
        ArgumentNullException.ThrowIfNull(own);
        var reduced = AppendClock(pendingClockset, own);
        var result = new List<ReplicaRef>(reduced.Count);
        foreach (var member in reduced)
        {
            if (member.Replica != own.Replica && !result.Contains(member.Replica))
            {
                result.Add(member.Replica);
            }
        }

        return result;
    }

    private static long ClockOf(IReadOnlyDictionary<ReplicaRef, long> context, ReplicaRef replica) =>
        context.TryGetValue(replica, out var clock) ? clock : 0;
}
