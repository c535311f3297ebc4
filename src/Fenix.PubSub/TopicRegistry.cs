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

    /// <summary>
    /// The subscriptions of <paramref name="topic"/>, without building its snapshot (presence asks this on every diff
    /// of a room that may be gaining members by the thousand, each of which invalidates the snapshot).
    /// </summary>
    public int SubscriberCount(string topic) => _topics.TryGetValue(topic, out var entry) ? entry.Count : 0;

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

    /// <summary>
    /// The subscribers of one topic. Mutated only under the topic's stripe lock. Most topics have one subscriber (a
    /// socket's own id topic, a user's topic), so the first is kept inline and a dictionary is made only for a second.
    /// </summary>
    private sealed class TopicEntry
    {
        /// <summary>The only subscriber while <see cref="_many"/> is null (null: none).</summary>
        private ISubscriber? _one;

        /// <summary>The subscriptions of <see cref="_one"/> (duplicates each receive a copy, as in Phoenix).</summary>
        private int _oneCount;

        /// <summary>Subscriber → number of subscriptions, once a second subscriber came; null before.</summary>
        private Dictionary<ISubscriber, int>? _many;

        /// <summary>Null after any change until the next reader rebuilds it; readers never see a half-built array.</summary>
        private volatile ISubscriber[]? _snapshot;

        /// <summary>All subscriptions (duplicates included): the snapshot's length, kept so counting needs no snapshot.</summary>
        private volatile int _count;

        public ISubscriber[]? Snapshot => _snapshot;

        public int Count => _count;

        public bool IsEmpty => _count == 0;

        public void Add(ISubscriber subscriber)
        {
            if (_many is not null)
            {
                _many[subscriber] = _many.GetValueOrDefault(subscriber) + 1;
            }
            else if (_one is null || ReferenceEquals(_one, subscriber))
            {
                (_one, _oneCount) = (subscriber, _oneCount + 1);
            }
            else
            {
                _many = new Dictionary<ISubscriber, int>(ReferenceEqualityComparer.Instance) { [_one] = _oneCount, [subscriber] = 1 };
                (_one, _oneCount) = (null, 0);
            }

            _count++;
            _snapshot = null;
        }

        public bool Remove(ISubscriber subscriber)
        {
            if (_many is null)
            {
                if (_one is null || !ReferenceEquals(_one, subscriber))
                {
                    return false;
                }

                if (--_oneCount == 0)
                {
                    _one = null;
                }
            }
            else if (!_many.TryGetValue(subscriber, out var count))
            {
                return false;
            }
            else if (count == 1)
            {
                _many.Remove(subscriber);
            }
            else
            {
                _many[subscriber] = count - 1;
            }

            _count--;
            _snapshot = null;
            return true;
        }

        public ISubscriber[] BuildSnapshot()
        {
            if (_many is null)
            {
                var single = new ISubscriber[_oneCount];
                Array.Fill(single, _one);
                _snapshot = single;
                return single;
            }

            var snapshot = new ISubscriber[_count];
            var i = 0;
            foreach (var (subscriber, count) in _many)
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
