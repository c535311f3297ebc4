namespace Fenix.Presence.Tracker;

/// <summary>
/// The stored elements grouped topic → key → owners, so that reading a topic costs the size of that topic and
/// reading a key the number of its owners. Holds at most one element per <see cref="ElementId"/>.
/// </summary>
internal sealed class ElementTable
{
    /// <summary>topic → key → the elements of that key (one per owner, usually one). No empty inner collections.</summary>
    private readonly Dictionary<string, Dictionary<string, List<TrackerElement>>> _topics;

    public ElementTable() => _topics = new Dictionary<string, Dictionary<string, List<TrackerElement>>>(StringComparer.Ordinal);

    private ElementTable(ElementTable source)
    {
        _topics = new Dictionary<string, Dictionary<string, List<TrackerElement>>>(source._topics.Count, StringComparer.Ordinal);
        foreach (var (topic, keys) in source._topics)
        {
            var copy = new Dictionary<string, List<TrackerElement>>(keys.Count, StringComparer.Ordinal);
            foreach (var (key, owners) in keys)
            {
                // Elements are immutable, so copying the lists is a deep copy.
                copy[key] = [.. owners];
            }

            _topics[topic] = copy;
        }

        Count = source.Count;
    }

    /// <summary>Number of stored elements, visible or not.</summary>
    public int Count { get; private set; }

    /// <summary>True when some element of <paramref name="topic"/> is stored, visible or not.</summary>
    public bool HoldsTopic(string topic) => _topics.ContainsKey(topic);

    public TrackerElement? Find(string topic, string owner, string key)
    {
        if (_topics.TryGetValue(topic, out var keys) && keys.TryGetValue(key, out var owners))
        {
            foreach (var element in owners)
            {
                if (string.Equals(element.Owner, owner, StringComparison.Ordinal))
                {
                    return element;
                }
            }
        }

        return null;
    }

    /// <summary>Stores an element, replacing the one with the same identity; returns the replaced element.</summary>
    public TrackerElement? Put(TrackerElement element)
    {
        if (!_topics.TryGetValue(element.Topic, out var keys))
        {
            keys = new Dictionary<string, List<TrackerElement>>(StringComparer.Ordinal);
            _topics[element.Topic] = keys;
        }

        if (!keys.TryGetValue(element.Key, out var owners))
        {
            owners = new List<TrackerElement>(1);
            keys[element.Key] = owners;
        }

        for (var i = 0; i < owners.Count; i++)
        {
            if (string.Equals(owners[i].Owner, element.Owner, StringComparison.Ordinal))
            {
                var replaced = owners[i];
                owners[i] = element;
                return replaced;
            }
        }

        owners.Add(element);
        Count++;
        return null;
    }

    /// <summary>Removes exactly this version (same identity and dot); false when another version or nothing is stored.</summary>
    public bool Remove(TrackerElement element)
    {
        if (!_topics.TryGetValue(element.Topic, out var keys) || !keys.TryGetValue(element.Key, out var owners))
        {
            return false;
        }

        for (var i = 0; i < owners.Count; i++)
        {
            var stored = owners[i];
            if (string.Equals(stored.Owner, element.Owner, StringComparison.Ordinal))
            {
                if (stored.Dot != element.Dot)
                {
                    return false;
                }

                owners.RemoveAt(i);
                Count--;
                if (owners.Count == 0)
                {
                    keys.Remove(element.Key);
                    if (keys.Count == 0)
                    {
                        _topics.Remove(element.Topic);
                    }
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>Appends the topic's elements whose replica is not in <paramref name="hidden"/>.</summary>
    public void CollectTopic(string topic, HashSet<ReplicaRef> hidden, List<TrackerElement> into)
    {
        if (!_topics.TryGetValue(topic, out var keys))
        {
            return;
        }

        foreach (var owners in keys.Values)
        {
            CollectVisible(owners, hidden, into);
        }
    }

    /// <summary>Appends the key's elements whose replica is not in <paramref name="hidden"/>.</summary>
    public void CollectKey(string topic, string key, HashSet<ReplicaRef> hidden, List<TrackerElement> into)
    {
        if (_topics.TryGetValue(topic, out var keys) && keys.TryGetValue(key, out var owners))
        {
            CollectVisible(owners, hidden, into);
        }
    }

    /// <summary>Appends every element whose replica is not in <paramref name="hidden"/>.</summary>
    public void CollectAll(HashSet<ReplicaRef> hidden, List<TrackerElement> into)
    {
        foreach (var keys in _topics.Values)
        {
            foreach (var owners in keys.Values)
            {
                CollectVisible(owners, hidden, into);
            }
        }
    }

    public ElementTable Clone() => new(this);

    private static void CollectVisible(List<TrackerElement> owners, HashSet<ReplicaRef> hidden, List<TrackerElement> into)
    {
        if (hidden.Count == 0)
        {
            into.AddRange(owners);
            return;
        }

        foreach (var element in owners)
        {
            if (!hidden.Contains(element.Replica))
            {
                into.Add(element);
            }
        }
    }
}
