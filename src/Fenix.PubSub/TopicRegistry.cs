using System.Collections.Concurrent;

namespace Fenix.PubSub;

/// <summary>
/// Topic → subscribers, built for many readers and bursty writers: lookups and dispatch read an immutable
/// snapshot array without locks; changes take one of a set of striped locks and merely invalidate the snapshot,
/// so a thousand joins in a row cost a thousand dictionary updates, not a thousand array copies.
/// </summary>
internal sealed class TopicRegistry
{
    private const int StripeCount = 64;

    /// <summary>Live topics only: an entry is removed (under its stripe lock) when its last subscriber leaves.</summary>
    private readonly ConcurrentDictionary<string, TopicEntry> _topics = new(StringComparer.Ordinal);

    private readonly object[] _stripes = CreateStripes();

    /// <summary>Called under the topic's stripe lock when a topic gains its first / loses its last subscriber.</summary>
    private readonly Action<string, bool> _onActivation;

    public TopicRegistry(Action<string, bool> onActivation) => _onActivation = onActivation;

    public int TopicCount => _topics.Count;

    public void Subscribe(string topic, ISubscriber subscriber)
    {
        lock (StripeFor(topic))
        {
            if (!_topics.TryGetValue(topic, out var entry))
            {
                // Activate first: if the adapter throws, no empty entry is left behind to skip the next activation.
                _onActivation(topic, true);
                entry = new TopicEntry();
                _topics[topic] = entry;
            }

            entry.Add(subscriber);
        }
    }

    /// <summary>Removes one subscription of <paramref name="subscriber"/>; false if it had none.</summary>
    public bool Unsubscribe(string topic, ISubscriber subscriber)
    {
        lock (StripeFor(topic))
        {
            if (!_topics.TryGetValue(topic, out var entry) || !entry.Remove(subscriber))
            {
                return false;
            }

            if (entry.IsEmpty)
            {
                _topics.TryRemove(topic, out _);
                _onActivation(topic, false);
            }

            return true;
        }
    }

    /// <summary>The current subscribers of <paramref name="topic"/> (a shared array: never mutate it).</summary>
    public ISubscriber[] Subscribers(string topic)
    {
        if (!_topics.TryGetValue(topic, out var entry))
        {
            return [];
        }

        var snapshot = entry.Snapshot;
        if (snapshot is not null)
        {
            return snapshot;
        }

        lock (StripeFor(topic))
        {
            return entry.Snapshot ?? entry.BuildSnapshot();
        }
    }

    public int SubscriberCount(string topic) => Subscribers(topic).Length;

    /// <summary>The topics that currently have local subscribers (a copy).</summary>
    public IReadOnlyCollection<string> Topics() => [.. _topics.Keys];

    private object StripeFor(string topic) =>
        _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(topic) % StripeCount)];

    private static object[] CreateStripes()
    {
        var stripes = new object[StripeCount];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new object();
        }

        return stripes;
    }

    /// <summary>The subscribers of one topic. Mutated only under the topic's stripe lock.</summary>
    private sealed class TopicEntry
    {
        /// <summary>Subscriber → number of subscriptions (duplicate subscriptions each receive a copy, as in Phoenix).</summary>
        private readonly Dictionary<ISubscriber, int> _counts = new(ReferenceEqualityComparer.Instance);

        /// <summary>Null after any change until the next reader rebuilds it; readers never see a half-built array.</summary>
        private volatile ISubscriber[]? _snapshot;

        public ISubscriber[]? Snapshot => _snapshot;

        public bool IsEmpty => _counts.Count == 0;

        public void Add(ISubscriber subscriber)
        {
            _counts[subscriber] = _counts.GetValueOrDefault(subscriber) + 1;
            _snapshot = null;
        }

        public bool Remove(ISubscriber subscriber)
        {
            if (!_counts.TryGetValue(subscriber, out var count))
            {
                return false;
            }

            if (count == 1)
            {
                _counts.Remove(subscriber);
            }
            else
            {
                _counts[subscriber] = count - 1;
            }

            _snapshot = null;
            return true;
        }

        public ISubscriber[] BuildSnapshot()
        {
            var total = 0;
            foreach (var count in _counts.Values)
            {
                total += count;
            }

            var snapshot = new ISubscriber[total];
            var i = 0;
            foreach (var (subscriber, count) in _counts)
            {
                for (var c = 0; c < count; c++)
                {
                    snapshot[i++] = subscriber;
                }
            }

            _snapshot = snapshot;
            return snapshot;
        }
    }
}
