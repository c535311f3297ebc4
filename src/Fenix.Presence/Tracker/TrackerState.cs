using System.Text.Json;

namespace Fenix.Presence.Tracker;

/// <summary>
/// One replica of the presence CRDT (§8.3–8.9): an observed-remove set of elements, each written only by
/// the replica its owner lives on, replicated through deltas and full extracts. Deterministic and single-threaded:
/// one loop owns an instance; everything it hands out (elements, deltas, extracts, diffs) is an independent
/// snapshot that is safe to pass to other threads. <see cref="Clone"/> forks a replica.
/// </summary>
internal sealed partial class TrackerState
{
    /// <summary>Observed dots. Knows exactly <see cref="Self"/> and the replicas brought up and not yet removed.</summary>
    private readonly CausalContext _context;

    /// <summary>Known replicas currently marked down: their elements are kept but hidden. Never contains <see cref="Self"/>.</summary>
    private readonly HashSet<ReplicaRef> _down;

    /// <summary>Every stored element (visible or hidden), one per <see cref="ElementId"/>.</summary>
    private readonly ElementTable _elements;

    /// <summary>
    /// replica → clock → element: exactly the elements of <see cref="_elements"/>, by dot. Lets a merge find the
    /// elements a delta retires without scanning everything, and replica events touch only that replica's elements.
    /// </summary>
    private readonly Dictionary<ReplicaRef, Dictionary<long, TrackerElement>> _byDot;

    /// <summary>owner → (topic, key) of its elements. Only local owners (elements of <see cref="Self"/>); no empty sets.</summary>
    private readonly Dictionary<string, HashSet<TopicKey>> _owners;

    /// <summary>Changes not yet broadcast.</summary>
    private readonly PendingDelta _delta;

    /// <summary>Creates the empty state of a freshly started replica.</summary>
    public TrackerState(ReplicaRef self)
    {
        ArgumentNullException.ThrowIfNull(self.Name, nameof(self));
        Self = self;
        _context = new CausalContext();
        _context.Track(self);
        _down = [];
        _elements = new ElementTable();
        _byDot = [];
        _owners = new Dictionary<string, HashSet<TopicKey>>(StringComparer.Ordinal);
        _delta = new PendingDelta(self, 0);
    }

    private TrackerState(TrackerState source)
    {
        Self = source.Self;
        _context = source._context.Clone();
        _down = [.. source._down];
        _elements = source._elements.Clone();
        _byDot = new Dictionary<ReplicaRef, Dictionary<long, TrackerElement>>(source._byDot.Count);
        foreach (var (replica, dots) in source._byDot)
        {
            _byDot[replica] = new Dictionary<long, TrackerElement>(dots);
        }

        _owners = new Dictionary<string, HashSet<TopicKey>>(source._owners.Count, StringComparer.Ordinal);
        foreach (var (owner, keys) in source._owners)
        {
            _owners[owner] = [.. keys];
        }

        _delta = source._delta.Clone();
    }

    /// <summary>This replica.</summary>
    public ReplicaRef Self { get; }

    /// <summary>Number of stored elements, including hidden ones of replicas marked down.</summary>
    public int Count => _elements.Count;

    /// <summary>True when there are changes to broadcast.</summary>
    public bool HasDelta => _delta.HasChanges;

    /// <summary>The replicas whose dots are accepted: this one and those brought up and not removed since.</summary>
    public IReadOnlyList<ReplicaRef> KnownReplicas => [.. _context.Replicas];

    /// <summary>A deep copy (a forked replica with the same identity) sharing nothing mutable with this one.</summary>
    public TrackerState Clone() => new(this);

    // ---- local writes (§8.4) ----

    /// <summary>
    /// Adds a local element (one clock tick) and returns it. The meta must already carry its <c>phx_ref</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The owner already tracks this key on this topic.</exception>
    public TrackerElement Join(string owner, string topic, string key, JsonElement meta)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(key);
        if (_elements.Find(topic, owner, key) is not null)
        {
            throw new InvalidOperationException(
                $"'{owner}' already tracks key '{key}' on topic '{topic}'. Check Contains first (already_tracked), or use LeaveJoin to change its meta.");
        }

        var element = new TrackerElement(topic, owner, key, meta, new Dot(Self, _context.ClockOf(Self) + 1));
        Tick();
        Index(element);
        _delta.RecordAdd(element);
        if (!_owners.TryGetValue(owner, out var keys))
        {
            keys = [];
            _owners[owner] = keys;
        }

        keys.Add(new TopicKey(topic, key));
        return element;
    }

    /// <summary>Removes a local element (one clock tick); returns it, or null when the owner does not track it.</summary>
    public TrackerElement? Leave(string owner, string topic, string key)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(key);
        if (!_owners.TryGetValue(owner, out var keys) || !keys.Remove(new TopicKey(topic, key)))
        {
            return null;
        }

        if (keys.Count == 0)
        {
            _owners.Remove(owner);
        }

        var element = _elements.Find(topic, owner, key)!;
        RetireLocal(element);
        return element;
    }

    /// <summary>Removes every local element of an owner (its process ended); returns them.</summary>
    public IReadOnlyList<TrackerElement> LeaveOwner(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (!_owners.Remove(owner, out var keys))
        {
            return [];
        }

        var removed = new List<TrackerElement>(keys.Count);
        foreach (var (topic, key) in keys)
        {
            var element = _elements.Find(topic, owner, key)!;
            RetireLocal(element);
            removed.Add(element);
        }

        return removed;
    }

    /// <summary>
    /// Replaces the meta of a local element: the old version is retired as by a leave and the new one added with a
    /// fresh dot (two clock ticks), atomically for readers. Returns both versions, or null when it is not tracked.
    /// </summary>
    public ElementUpdate? LeaveJoin(string owner, string topic, string key, JsonElement newMeta)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(key);
        var old = _elements.Find(topic, owner, key);
        if (old is null || old.Replica != Self)
        {
            return null;
        }

        var next = new TrackerElement(topic, owner, key, newMeta, new Dot(Self, _context.ClockOf(Self) + 2));
        _delta.RecordRemoval(old.Dot);
        Tick();
        Tick();
        Index(next); // replaces the old version in place, so readers never see the key missing
        _delta.RecordAdd(next);
        return new ElementUpdate(old, next);
    }

    // ---- reads (§8.11) ----

    /// <summary>True when the element is stored (visible or not).</summary>
    public bool Contains(string owner, string topic, string key) => Find(owner, topic, key) is not null;

    /// <summary>The stored element (visible or not), or null.</summary>
    public TrackerElement? Find(string owner, string topic, string key)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(key);
        return _elements.Find(topic, owner, key);
    }

    /// <summary>True when some element of <paramref name="topic"/> is stored, visible or not.</summary>
    public bool HoldsTopic(string topic) => _elements.HoldsTopic(topic);

    /// <summary>The visible elements of a topic (local ones, and remote ones whose replica is not down).</summary>
    public IReadOnlyList<TrackerElement> Get(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var result = new List<TrackerElement>();
        _elements.CollectTopic(topic, _down, result);
        return result;
    }

    /// <summary>The visible elements of one key of a topic (one per owner).</summary>
    public IReadOnlyList<TrackerElement> GetByKey(string topic, string key)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(key);
        var result = new List<TrackerElement>();
        _elements.CollectKey(topic, key, _down, result);
        return result;
    }

    /// <summary>Every visible element, all topics.</summary>
    public IReadOnlyList<TrackerElement> GetAll()
    {
        var result = new List<TrackerElement>(_elements.Count);
        _elements.CollectAll(_down, result);
        return result;
    }

    /// <summary>The local elements of an owner.</summary>
    public IReadOnlyList<TrackerElement> GetByOwner(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (!_owners.TryGetValue(owner, out var keys))
        {
            return [];
        }

        var result = new List<TrackerElement>(keys.Count);
        foreach (var (topic, key) in keys)
        {
            result.Add(_elements.Find(topic, owner, key)!);
        }

        return result;
    }

    // ---- causal context and gossip ----

    /// <summary>The contiguous clock observed for a replica (0 when unknown).</summary>
    public long ClockOf(ReplicaRef replica) => _context.ClockOf(replica);

    /// <summary>The observed clocks of a replica beyond its gap, ascending; empty when there is no gap.</summary>
    public IReadOnlyList<long> CloudOf(ReplicaRef replica) => _context.CloudOf(replica);

    /// <summary>Up for this replica and known ones not marked down, Down for those marked down, null when unknown.</summary>
    public ReplicaStatus? StatusOf(ReplicaRef replica) =>
        !_context.Knows(replica) ? null
        : _down.Contains(replica) ? ReplicaStatus.Down
        : ReplicaStatus.Up;

    /// <summary>
    /// The clocks to announce in heartbeats: the context without replicas marked down (we do not gossip their
    /// state, so announcing them would make peers request transfers we cannot satisfy).
    /// </summary>
    public ReplicaClock Clocks() => new(Self, _context.CopyClocks(replica => !_down.Contains(replica)));

    /// <summary>Returns the changes to broadcast and starts a new delta at the current clock.</summary>
    public TrackerDelta TakeDelta() => _delta.TakeAndReset(_context.ClockOf(Self));

    private void Tick() => _delta.RecordTick(_context.Tick(Self));

    /// <summary>Removes a local element and consumes a tick, the removal travelling as its dot without value.</summary>
    private void RetireLocal(TrackerElement element)
    {
        _elements.Remove(element);
        RemoveDot(element.Dot);
        _delta.RecordRemoval(element.Dot);
        Tick();
    }

    /// <summary>Stores an element in the table and the dot index; returns the version it replaced, if any.</summary>
    private TrackerElement? Index(TrackerElement element)
    {
        var replaced = _elements.Put(element);
        if (replaced is not null)
        {
            RemoveDot(replaced.Dot);
        }

        if (!_byDot.TryGetValue(element.Replica, out var dots))
        {
            dots = [];
            _byDot[element.Replica] = dots;
        }

        dots[element.Dot.Clock] = element;
        return replaced;
    }

    private void RemoveDot(Dot dot)
    {
        if (_byDot.TryGetValue(dot.Replica, out var dots) && dots.Remove(dot.Clock) && dots.Count == 0)
        {
            _byDot.Remove(dot.Replica);
        }
    }

    private bool IsVisible(ReplicaRef replica) => !_down.Contains(replica);

    private readonly record struct TopicKey(string Topic, string Key);
}
