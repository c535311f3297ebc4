namespace Fenix.Presence.Tracker;

/// <summary>
/// What the own replica has to gossip since its last broadcast: the dots it created or saw removed and the values
/// it added that are still alive. A removal is expressed by a dot present in the clouds but absent from the values.
/// </summary>
internal sealed class PendingDelta
{
    private readonly ReplicaRef _self;

    /// <summary>Dot → element added since the last reset and still alive. Every key is also in <see cref="_clouds"/>.</summary>
    private readonly Dictionary<Dot, TrackerElement> _values;

    /// <summary>Every own tick since the last reset, plus every dot (own or relayed) removed since then.</summary>
    private readonly HashSet<Dot> _clouds;

    /// <summary>Own clock at the last reset: the exclusive start of the range.</summary>
    private long _start;

    /// <summary>Own clock now: the inclusive end of the range.</summary>
    private long _end;

    public PendingDelta(ReplicaRef self, long clock)
    {
        _self = self;
        _values = [];
        _clouds = [];
        _start = clock;
        _end = clock;
    }

    private PendingDelta(PendingDelta source)
    {
        _self = source._self;
        _values = new Dictionary<Dot, TrackerElement>(source._values);
        _clouds = [.. source._clouds];
        _start = source._start;
        _end = source._end;
    }

    /// <summary>True when there is something to broadcast.</summary>
    public bool HasChanges => _clouds.Count > 0;

    /// <summary>Records an own clock tick (every add and every remove consumes one).</summary>
    public void RecordTick(long clock)
    {
        _clouds.Add(new Dot(_self, clock));
        _end = clock;
    }

    /// <summary>Records a value created by the tick just recorded.</summary>
    public void RecordAdd(TrackerElement element) => _values[element.Dot] = element;

    /// <summary>Records that the version with this dot is gone (own removal, or a remote one relayed onwards).</summary>
    public void RecordRemoval(Dot dot)
    {
        _values.Remove(dot);
        _clouds.Add(dot);
    }

    /// <summary>Drops everything about a permanently gone replica.</summary>
    public void ForgetReplica(ReplicaRef replica)
    {
        _clouds.RemoveWhere(dot => dot.Replica == replica);
        List<Dot>? doomed = null;
        foreach (var dot in _values.Keys)
        {
            if (dot.Replica == replica)
            {
                (doomed ??= []).Add(dot);
            }
        }

        if (doomed is not null)
        {
            foreach (var dot in doomed)
            {
                _values.Remove(dot);
            }
        }
    }

    /// <summary>Returns the accumulated changes as an independent delta and starts a new range at <paramref name="clock"/>.</summary>
    public TrackerDelta TakeAndReset(long clock)
    {
        var values = new TrackerElement[_values.Count];
        _values.Values.CopyTo(values, 0);
        var clouds = new Dot[_clouds.Count];
        _clouds.CopyTo(clouds);
        var delta = new TrackerDelta(
            new Dictionary<ReplicaRef, long> { [_self] = _start },
            new Dictionary<ReplicaRef, long> { [_self] = _end },
            clouds,
            values);

        _values.Clear();
        _clouds.Clear();
        _start = clock;
        _end = clock;
        return delta;
    }

    public PendingDelta Clone() => new(this);
}
