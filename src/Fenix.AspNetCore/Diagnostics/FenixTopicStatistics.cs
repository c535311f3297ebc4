using System.Collections.Concurrent;

namespace Fenix.Diagnostics;

/// <summary>A topic and how many channels this node has joined to it.</summary>
public readonly record struct TopicChannels(string Topic, int Channels);

/// <summary>
/// How many channels are joined to each topic on this node (not the cluster: each node counts its own), for dashboards
/// and admin endpoints. Injectable once Fenix is added; reads never block the channels they count.
/// </summary>
public sealed class FenixTopicStatistics
{
    /// <summary>Topic → joined channels on this node; a topic leaves the map when its last channel ends.</summary>
    private readonly ConcurrentDictionary<string, int> _channels = new(StringComparer.Ordinal);

    internal FenixTopicStatistics()
    {
    }

    /// <summary>Topics with at least one joined channel on this node.</summary>
    public int TopicCount => _channels.Count;

    /// <summary>Channels joined to <paramref name="topic"/> on this node.</summary>
    public int ChannelsOn(string topic) => _channels.GetValueOrDefault(topic);

    /// <summary>The <paramref name="count"/> topics with the most joined channels on this node, most first (ties by name).</summary>
    public IReadOnlyList<TopicChannels> Top(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return [];
        }

        // A bounded min-heap keeps this O(topics · log count) however many topics there are.
        var heap = new PriorityQueue<TopicChannels, TopicChannels>(count + 1, TopicOrder.Ascending);
        foreach (var (topic, channels) in _channels)
        {
            var entry = new TopicChannels(topic, channels);
            heap.Enqueue(entry, entry);
            if (heap.Count > count)
            {
                heap.Dequeue();
            }
        }

        var top = new TopicChannels[heap.Count];
        for (var i = top.Length - 1; i >= 0; i--)
        {
            top[i] = heap.Dequeue();
        }

        return top;
    }

    internal void Joined(string topic) => _channels.AddOrUpdate(topic, 1, static (_, channels) => channels + 1);

    internal void Left(string topic)
    {
        while (_channels.TryGetValue(topic, out var channels))
        {
            // Removing only the exact pair {topic, 1} keeps a concurrent join's increment from being lost.
            if (channels <= 1
                ? _channels.TryRemove(new KeyValuePair<string, int>(topic, channels))
                : _channels.TryUpdate(topic, channels - 1, channels))
            {
                return;
            }
        }
    }

    /// <summary>Fewer channels first; among equals, the name later in ordinal order first (so the top list sorts by name).</summary>
    private sealed class TopicOrder : IComparer<TopicChannels>
    {
        public static TopicOrder Ascending { get; } = new();

        public int Compare(TopicChannels x, TopicChannels y)
        {
            var byChannels = x.Channels.CompareTo(y.Channels);
            return byChannels != 0 ? byChannels : string.CompareOrdinal(y.Topic, x.Topic);
        }
    }
}
