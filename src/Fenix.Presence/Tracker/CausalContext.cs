namespace Fenix.Presence.Tracker;

/// <summary>
/// The set of dots a replica has observed, stored compactly: per known replica a clock below which every dot is
/// observed (the version vector), plus a "cloud" of observed dots beyond a gap. Compaction (§8.6) is eager: the
/// set is kept compact after every change, so the cloud of a replica only ever holds clocks past a missing dot.
/// </summary>
/// <remarks>
/// Only known replicas (added with <see cref="Track"/>) can have dots observed; dots of unknown replicas are ignored,
/// which is how the tracker refuses state about replicas it has not been told are up. This also makes the
/// "unknown replica and clock 1" compaction rule of the reference unnecessary here.
/// </remarks>
internal sealed class CausalContext
{
    /// <summary>Known replica → clock c: every dot (replica, 1..c) is observed. Its keys are the known replicas.</summary>
    private readonly Dictionary<ReplicaRef, long> _clocks;

    /// <summary>Observed dots past a gap. Keys ⊆ known replicas; every clock is &gt; clock + 1; no empty sets.</summary>
    private readonly Dictionary<ReplicaRef, HashSet<long>> _clouds;

    /// <summary>Creates an empty context that knows no replica.</summary>
    public CausalContext()
    {
        _clocks = [];
        _clouds = [];
    }

    private CausalContext(CausalContext source)
    {
        _clocks = new Dictionary<ReplicaRef, long>(source._clocks);
        _clouds = new Dictionary<ReplicaRef, HashSet<long>>(source._clouds.Count);
        foreach (var (replica, cloud) in source._clouds)
        {
            _clouds[replica] = [.. cloud];
        }
    }

    /// <summary>The known replicas.</summary>
    public IReadOnlyCollection<ReplicaRef> Replicas => _clocks.Keys;

    /// <summary>True when dots of <paramref name="replica"/> are accepted.</summary>
    public bool Knows(ReplicaRef replica) => _clocks.ContainsKey(replica);

    /// <summary>The contiguous clock of a replica (0 when unknown or nothing observed).</summary>
    public long ClockOf(ReplicaRef replica) => _clocks.TryGetValue(replica, out var clock) ? clock : 0;

    /// <summary>The observed clocks past the gap for a replica, ascending (empty when contiguous).</summary>
    public long[] CloudOf(ReplicaRef replica)
    {
        if (!_clouds.TryGetValue(replica, out var cloud))
        {
            return [];
        }

        var clocks = new long[cloud.Count];
        cloud.CopyTo(clocks);
        Array.Sort(clocks);
        return clocks;
    }

    /// <summary>True when the dot was observed ("seen").</summary>
    public bool IsSeen(Dot dot) =>
        _clocks.TryGetValue(dot.Replica, out var clock)
        && (dot.Clock <= clock || (_clouds.TryGetValue(dot.Replica, out var cloud) && cloud.Contains(dot.Clock)));

    /// <summary>Starts accepting dots of a replica (clock 0 when new). Returns false when it was already known.</summary>
    public bool Track(ReplicaRef replica) => _clocks.TryAdd(replica, 0);

    /// <summary>Forgets a replica and everything observed of it.</summary>
    public void Forget(ReplicaRef replica)
    {
        _clocks.Remove(replica);
        _clouds.Remove(replica);
    }

    /// <summary>Advances a known replica by one and returns the new clock (used for the own replica's ticks).</summary>
    public long Tick(ReplicaRef replica)
    {
        var next = _clocks[replica] + 1;
        Advance(replica, next);
        return next;
    }

    /// <summary>Marks a dot observed; ignored for unknown replicas. Closes a gap when it fills one.</summary>
    public void Observe(Dot dot)
    {
        if (!_clocks.TryGetValue(dot.Replica, out var clock) || dot.Clock <= clock)
        {
            return;
        }

        if (dot.Clock == clock + 1)
        {
            Advance(dot.Replica, dot.Clock);
            return;
        }

        if (!_clouds.TryGetValue(dot.Replica, out var cloud))
        {
            cloud = [];
            _clouds[dot.Replica] = cloud;
        }

        cloud.Add(dot.Clock);
    }

    /// <summary>Raises a known replica's contiguous clock to at least <paramref name="clock"/>; ignored for unknown replicas.</summary>
    public void RaiseTo(ReplicaRef replica, long clock)
    {
        if (_clocks.TryGetValue(replica, out var current) && clock > current)
        {
            Advance(replica, clock);
        }
    }

    /// <summary>Copies the contiguous clocks of the replicas <paramref name="include"/> accepts.</summary>
    public Dictionary<ReplicaRef, long> CopyClocks(Func<ReplicaRef, bool> include)
    {
        var result = new Dictionary<ReplicaRef, long>(_clocks.Count);
        foreach (var (replica, clock) in _clocks)
        {
            if (include(replica))
            {
                result[replica] = clock;
            }
        }

        return result;
    }

    /// <summary>Lists the cloud dots of the replicas <paramref name="include"/> accepts.</summary>
    public List<Dot> CopyClouds(Func<ReplicaRef, bool> include)
    {
        var result = new List<Dot>();
        foreach (var (replica, cloud) in _clouds)
        {
            if (!include(replica))
            {
                continue;
            }

            foreach (var clock in cloud)
            {
                result.Add(new Dot(replica, clock));
            }
        }

        return result;
    }

    /// <summary>A deep copy sharing nothing mutable with this context.</summary>
    public CausalContext Clone() => new(this);

    /// <summary>Sets the contiguous clock (which must grow) and restores compactness of the replica's cloud.</summary>
    private void Advance(ReplicaRef replica, long clock)
    {
        if (_clouds.TryGetValue(replica, out var cloud))
        {
            // Cloud clocks exceed the old clock + 1, so only a jump of more than one can cover some of them;
            // covered dots carry no information, and dots right after the clock extend it.
            if (clock > _clocks[replica] + 1)
            {
                var covered = clock;
                cloud.RemoveWhere(c => c <= covered);
            }

            while (cloud.Remove(clock + 1))
            {
                clock++;
            }

            if (cloud.Count == 0)
            {
                _clouds.Remove(replica);
            }
        }

        _clocks[replica] = clock;
    }
}
