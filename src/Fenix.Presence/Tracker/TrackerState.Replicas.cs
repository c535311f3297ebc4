namespace Fenix.Presence.Tracker;

internal sealed partial class TrackerState
{
    /// <summary>
    /// Marks a replica up (§8.8): its dots are accepted from now on (a new replica starts at clock 0), and if it was
    /// marked down its stored elements become visible again and are returned as joins.
    /// </summary>
    public TrackerDiff ReplicaUp(ReplicaRef replica)
    {
        RejectSelf(replica);
        if (_context.Track(replica) || !_down.Remove(replica))
        {
            // Newly known (nothing stored yet: dots of unknown replicas are refused) or already visible.
            return TrackerDiff.Empty;
        }

        return new TrackerDiff(ElementsOf(replica), []);
    }

    /// <summary>
    /// Marks a known replica down (§8.8): its elements are kept, so a quick return costs nothing, but hidden from
    /// reads and from <see cref="Clocks"/>; they are returned as leaves. No-op when unknown or already down.
    /// </summary>
    public TrackerDiff ReplicaDown(ReplicaRef replica)
    {
        RejectSelf(replica);
        if (!_context.Knows(replica) || !_down.Add(replica))
        {
            return TrackerDiff.Empty;
        }

        return new TrackerDiff([], ElementsOf(replica));
    }

    /// <summary>
    /// Forgets a permanently gone replica (§8.8 permdown): its elements, context, clouds and pending delta entries
    /// are purged. Normally preceded by <see cref="ReplicaDown"/>, which already reported the leaves; if the
    /// replica was still visible its elements are returned as leaves so that no presence is left behind.
    /// </summary>
    public TrackerDiff RemoveDownReplica(ReplicaRef replica)
    {
        RejectSelf(replica);
        var wasVisible = _context.Knows(replica) && !_down.Contains(replica);
        TrackerElement[] purged = [];
        if (_byDot.Remove(replica, out var dots))
        {
            var elements = new TrackerElement[dots.Count];
            dots.Values.CopyTo(elements, 0);
            foreach (var element in elements)
            {
                _elements.Remove(element);
            }

            purged = elements;
        }

        _context.Forget(replica);
        _down.Remove(replica);
        _delta.ForgetReplica(replica);
        return wasVisible && purged.Length > 0 ? new TrackerDiff([], purged) : TrackerDiff.Empty;
    }

    private TrackerElement[] ElementsOf(ReplicaRef replica)
    {
        if (!_byDot.TryGetValue(replica, out var dots))
        {
            return [];
        }

        var elements = new TrackerElement[dots.Count];
        dots.Values.CopyTo(elements, 0);
        return elements;
    }

    private void RejectSelf(ReplicaRef replica)
    {
        if (replica == Self)
        {
            throw new ArgumentException($"{replica} is this replica; only peers go up, down or away.", nameof(replica));
        }
    }
}
