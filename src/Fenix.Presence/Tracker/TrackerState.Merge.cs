namespace Fenix.Presence.Tracker;

internal sealed partial class TrackerState
{
    /// <summary>
    /// Merges a remote delta or extract (§8.5) and returns what became visible and what disappeared.
    /// <list type="number">
    /// <item>Joins: remote values whose replica is known here (up or down) and whose dot was not yet observed.</item>
    /// <item>Leaves: stored remote elements whose dot the remote observed (context or clouds) but no longer holds.</item>
    /// <item>A leave and a join of the same element in one merge is an update: both are reported.</item>
    /// <item>The remote clouds and context are absorbed for known replicas only; the own replica is never raised.</item>
    /// </list>
    /// Re-merging the same payload is a no-op. Removals observed here are relayed in the next delta so that peers
    /// that missed the owner's delta learn of them too. Elements of replicas marked down are updated silently.
    /// </summary>
    public TrackerDiff Merge(TrackerPayload remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var remoteValueDots = new HashSet<Dot>(remote.Values.Count);
        var joins = new List<TrackerElement>();
        foreach (var element in remote.Values)
        {
            if (remoteValueDots.Add(element.Dot)
                && element.Replica != Self
                && _context.Knows(element.Replica)
                && !_context.IsSeen(element.Dot))
            {
                joins.Add(element);
            }
        }

        var remoteClouds = new HashSet<Dot>(remote.Clouds);
        var leaves = ObservedRemovals(remote.Context, remoteClouds, remoteValueDots);

        // Removals first: an update retires the old version before the new one takes the element's place.
        var reportedLeaves = new List<TrackerElement>(leaves.Count);
        foreach (var left in leaves)
        {
            _elements.Remove(left);
            RemoveDot(left.Dot);
            _delta.RecordRemoval(left.Dot);
            if (IsVisible(left.Replica))
            {
                reportedLeaves.Add(left);
            }
        }

        var reportedJoins = new List<TrackerElement>(joins.Count);
        foreach (var joined in joins)
        {
            var stored = _elements.Find(joined.Topic, joined.Owner, joined.Key);
            if (stored is not null && IsStale(joined, stored))
            {
                continue;
            }

            var replaced = Index(joined);
            if (replaced is not null && IsVisible(replaced.Replica))
            {
                // A version the payload did not retire: an older one of the same replica whose removal has not
                // reached us yet (the owner re-tracked the key), or one of another replica reusing the owner id.
                reportedLeaves.Add(replaced);
            }

            if (IsVisible(joined.Replica))
            {
                reportedJoins.Add(joined);
            }
        }

        foreach (var dot in remoteClouds)
        {
            if (dot.Replica != Self)
            {
                _context.Observe(dot);
            }
        }

        foreach (var (replica, clock) in remote.Context)
        {
            if (replica != Self)
            {
                _context.RaiseTo(replica, clock);
            }
        }

        foreach (var joined in joins)
        {
            // A well-formed payload already covers its values; this keeps a malformed one from re-joining forever.
            _context.Observe(joined.Dot);
        }

        return reportedJoins.Count == 0 && reportedLeaves.Count == 0
            ? TrackerDiff.Empty
            : new TrackerDiff(reportedJoins, reportedLeaves);
    }

    /// <summary>
    /// The full state to answer a transfer request (§8.9): context, clouds and values restricted to the replicas the
    /// requester knows, without the requester's own elements (it is their only writer; see quirk §11.26).
    /// </summary>
    public TrackerExtract Extract(ReplicaRef requester, IReadOnlyDictionary<ReplicaRef, long> requesterContext)
    {
        ArgumentNullException.ThrowIfNull(requesterContext);
        bool Known(ReplicaRef replica) => requesterContext.ContainsKey(replica);

        var values = new List<TrackerElement>();
        foreach (var (replica, dots) in _byDot)
        {
            if (replica != requester && Known(replica))
            {
                values.AddRange(dots.Values);
            }
        }

        return new TrackerExtract(_context.CopyClocks(Known), _context.CopyClouds(Known), values);
    }

    /// <summary>The full state for a requester identified by the clocks it sent.</summary>
    public TrackerExtract Extract(ReplicaClock requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        return Extract(requester.Replica, requester.Context);
    }

    /// <summary>
    /// True when an incoming version must not replace the stored version of the same element. Its writer holds one
    /// version of an element at a time, so of two versions from the same replica the older one is already dead
    /// (the owner left and tracked the same key again, and the deltas arrived out of order). A stored element of
    /// our own means another replica claims one of our owners (owner ids are not unique); our owner's element wins.
    /// </summary>
    private bool IsStale(TrackerElement incoming, TrackerElement stored) =>
        stored.Replica == Self || (stored.Replica == incoming.Replica && stored.Dot.Clock > incoming.Dot.Clock);

    /// <summary>Stored remote elements the remote has observed but no longer holds: removed at their owner.</summary>
    private List<TrackerElement> ObservedRemovals(
        IReadOnlyDictionary<ReplicaRef, long> remoteContext,
        HashSet<Dot> remoteClouds,
        HashSet<Dot> remoteValueDots)
    {
        var leaves = new List<TrackerElement>();

        // Dots covered by the remote context: only extracts have one, and then every stored element of that replica
        // is a candidate.
        foreach (var (replica, clock) in remoteContext)
        {
            if (replica == Self || clock <= 0 || !_byDot.TryGetValue(replica, out var dots))
            {
                continue;
            }

            foreach (var (elementClock, element) in dots)
            {
                if (elementClock <= clock && !remoteValueDots.Contains(element.Dot))
                {
                    leaves.Add(element);
                }
            }
        }

        // Cloud dots: a delta's only voice. Look each one up instead of scanning the state.
        foreach (var dot in remoteClouds)
        {
            if (dot.Replica == Self
                || remoteValueDots.Contains(dot)
                || (remoteContext.TryGetValue(dot.Replica, out var covered) && dot.Clock <= covered))
            {
                continue;
            }

            if (_byDot.TryGetValue(dot.Replica, out var dots) && dots.TryGetValue(dot.Clock, out var element))
            {
                leaves.Add(element);
            }
        }

        return leaves;
    }
}
