using Fenix.Presence.Tracker;

namespace Fenix.Presence.Diffs;

/// <summary>
/// The changes of one topic within one coalescing window, reduced to one diff when the window closes. Each version of a
/// presence (a dot) ends as it ended: present at the end → one join; gone at the end → one leave. A version that
/// joined and left inside the window is dropped entirely — unless a read of the topic was served while it was
/// present: a client whose <c>presence_state</c> came from that read holds it and must still see it leave.
/// </summary>
/// <remarks>Not thread-safe: the owning <see cref="DiffPipeline"/> guards it with its lock.</remarks>
internal sealed class CoalescingWindow(ITimer? timer = null)
{
    /// <summary>dot → its change; <see cref="_order"/> holds the same changes in first-seen order.</summary>
    private readonly Dictionary<Dot, Change> _changes = [];
    private readonly List<Change> _order = [];

    /// <summary>Reads of the topic served since the window opened.</summary>
    private int _reads;

    /// <summary>The timer that closes the window (disposed by the pipeline when it flushes).</summary>
    public ITimer? Timer { get; set; } = timer;

    public bool IsEmpty => _order.Count == 0;

    public void Join(TrackerElement element)
    {
        if (!_changes.TryGetValue(element.Dot, out var change))
        {
            change = new Change(element, presentAtStart: false);
            _changes[element.Dot] = change;
            _order.Add(change);
        }

        change.Element = element;
        change.Present = true;
        change.ReadsAtJoin = _reads;
    }

    public void Leave(TrackerElement element)
    {
        if (!_changes.TryGetValue(element.Dot, out var change))
        {
            change = new Change(element, presentAtStart: true);
            _changes[element.Dot] = change;
            _order.Add(change);
            return;
        }

        if (change.Present && _reads > change.ReadsAtJoin)
        {
            change.Exposed = true;
        }

        change.Present = false;
    }

    /// <summary>A read of the topic was served: what is present now may be known to a client.</summary>
    public void MarkRead() => _reads++;

    /// <summary>The net joins and leaves, in first-seen order.</summary>
    public (List<TrackerElement> Joins, List<TrackerElement> Leaves) Reduce()
    {
        var joins = new List<TrackerElement>();
        var leaves = new List<TrackerElement>();
        foreach (var change in _order)
        {
            if (change.Present)
            {
                joins.Add(change.Element);
            }
            else if (change.PresentAtStart || change.Exposed)
            {
                leaves.Add(change.Element);
            }
        }

        return (joins, leaves);
    }

    private sealed class Change(TrackerElement element, bool presentAtStart)
    {
        public TrackerElement Element { get; set; } = element;

        /// <summary>Its first event in the window was a leave: clients that knew the topic before the window hold it.</summary>
        public bool PresentAtStart { get; } = presentAtStart;

        /// <summary>Visible at this point of the window.</summary>
        public bool Present { get; set; }

        /// <summary>Some read was served while it was present, so some client may hold it.</summary>
        public bool Exposed { get; set; }

        /// <summary>The window's read count at its latest join.</summary>
        public int ReadsAtJoin { get; set; }
    }
}
