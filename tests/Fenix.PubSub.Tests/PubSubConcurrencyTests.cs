using System.Collections.Concurrent;
using Xunit;

namespace Fenix.PubSub.Tests;

/// <summary>
/// Dispatch reads lock-free snapshots while other threads subscribe and unsubscribe. These tests hammer that with
/// real threads, bounded in count and time, and check what must hold whatever the interleaving.
/// </summary>
public sealed class PubSubConcurrencyTests
{
    private const string Topic = "room:hot";

    [Fact]
    public async Task Each_publisher_order_is_kept_for_every_subscriber_during_churn()
    {
        const int publishers = 4;
        const int perPublisher = 5_000;
        var pubsub = new FenixPubSub(new RecordingAdapter());
        var stable = new OrderCheckingSubscriber(publishers);
        pubsub.Subscribe(Topic, stable);
        using var stop = new CancellationTokenSource();
        var churners = Enumerable.Range(0, 3).Select(_ => new OrderCheckingSubscriber(publishers)).ToArray();

        var churn = churners.Select(churner => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                pubsub.Subscribe(Topic, churner);
                pubsub.Subscribe($"{Topic}:other", churner);
                pubsub.Unsubscribe(Topic, churner);
                pubsub.Unsubscribe($"{Topic}:other", churner);
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        var publishing = Enumerable.Range(0, publishers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perPublisher; i++)
            {
                pubsub.Broadcast(Topic, new Numbered(p, i));
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        await Within(TimeSpan.FromSeconds(30), publishing);
        await stop.CancelAsync();
        await Within(TimeSpan.FromSeconds(10), churn);

        Assert.Empty(stable.Violations);
        Assert.All(Enumerable.Range(0, publishers), p => Assert.Equal(perPublisher, stable.CountFrom(p)));
        Assert.All(churners, churner => Assert.Empty(churner.Violations));
    }

    [Fact]
    public async Task Stable_subscribers_get_every_message_exactly_once_while_others_subscribe()
    {
        const int messages = 20_000;
        var pubsub = new FenixPubSub(new RecordingAdapter());
        var stable = Enumerable.Range(0, 8).Select(i => new CountingSubscriber(messages)).ToArray();
        foreach (var subscriber in stable)
        {
            pubsub.Subscribe(Topic, subscriber);
        }

        using var stop = new CancellationTokenSource();
        var joiners = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var mine = new List<CountingSubscriber>();
            while (!stop.IsCancellationRequested)
            {
                var subscriber = new CountingSubscriber(messages);
                pubsub.Subscribe(Topic, subscriber);
                mine.Add(subscriber);
                if (mine.Count > 50)
                {
                    pubsub.Unsubscribe(Topic, mine[0]);
                    mine.RemoveAt(0);
                }
            }

            return mine;
        }, TestContext.Current.CancellationToken)).ToArray();

        var publisher = Task.Run(
            () =>
            {
                for (var i = 0; i < messages; i++)
                {
                    pubsub.Broadcast(Topic, new Numbered(0, i));
                }
            },
            TestContext.Current.CancellationToken);

        await Within(TimeSpan.FromSeconds(30), publisher);
        await stop.CancelAsync();
        await Within(TimeSpan.FromSeconds(10), joiners);

        Assert.All(stable, subscriber =>
        {
            Assert.Equal(0, subscriber.Duplicates);
            Assert.Equal(messages, subscriber.Distinct);
        });
        Assert.All((await Task.WhenAll(joiners)).SelectMany(j => j), subscriber => Assert.Equal(0, subscriber.Duplicates));
    }

    [Fact]
    public async Task A_broadcast_after_subscribe_returns_always_reaches_the_new_subscriber()
    {
        // Subscribe must invalidate the snapshot before it returns, whatever other threads are doing.
        var pubsub = new FenixPubSub(new RecordingAdapter());
        pubsub.Subscribe(Topic, new RecordingSubscriber("anchor"));
        using var stop = new CancellationTokenSource();
        var noise = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var subscriber = new RecordingSubscriber("noise");
            while (!stop.IsCancellationRequested)
            {
                pubsub.Subscribe(Topic, subscriber);
                pubsub.LocalBroadcast(Topic, "noise");
                pubsub.Unsubscribe(Topic, subscriber);
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        var misses = 0;
        var extras = 0;
        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var probe = new MarkerSubscriber(i);
            pubsub.Subscribe(Topic, probe);
            pubsub.LocalBroadcast(Topic, new Marker(i));
            pubsub.Unsubscribe(Topic, probe);
            pubsub.LocalBroadcast(Topic, new Marker(i));
            if (probe.Seen == 0)
            {
                Interlocked.Increment(ref misses);
            }
            else if (probe.Seen > 1)
            {
                Interlocked.Increment(ref extras);
            }
        });
        await stop.CancelAsync();
        await Within(TimeSpan.FromSeconds(10), noise);

        Assert.Equal(0, misses);
        Assert.Equal(0, extras);
    }

    [Fact]
    public void Activations_and_deactivations_alternate_per_topic_under_contention()
    {
        var adapter = new RecordingAdapter();
        var pubsub = new FenixPubSub(adapter);
        string[] topics = ["a", "b", "c"];

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            var subscriber = new RecordingSubscriber($"w{worker}");
            for (var i = 0; i < 2_000; i++)
            {
                var topic = topics[(i + worker) % topics.Length];
                pubsub.Subscribe(topic, subscriber);
                pubsub.Unsubscribe(topic, subscriber);
            }
        });
        var keeper = new RecordingSubscriber("keeper");
        pubsub.Subscribe("b", keeper);

        var calls = adapter.Calls;
        foreach (var topic in topics)
        {
            var mine = calls.Where(c => c.EndsWith($":{topic}", StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(mine);
            for (var i = 0; i < mine.Length; i++)
            {
                Assert.Equal(i % 2 == 0 ? $"activate:{topic}" : $"deactivate:{topic}", mine[i]);
            }

            Assert.Equal(topic == "b", mine[^1].StartsWith("activate", StringComparison.Ordinal));
        }

        Assert.Equal(["b"], pubsub.LocalTopics());
    }

    [Fact]
    public void Concurrent_subscribes_of_distinct_subscribers_are_all_kept()
    {
        var adapter = new RecordingAdapter();
        var pubsub = new FenixPubSub(adapter);
        var subscribers = new ConcurrentBag<RecordingSubscriber>();

        Parallel.For(0, 1_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var subscriber = new RecordingSubscriber($"s{i}");
            subscribers.Add(subscriber);
            pubsub.Subscribe(Topic, subscriber);
        });
        pubsub.Broadcast(Topic, new TextMessage("once"));

        Assert.Equal(1_000, pubsub.SubscriberCount(Topic));
        Assert.All(subscribers, s => Assert.Single(s.Received));
        Assert.Equal([$"activate:{Topic}", $"broadcast:{Topic}"], adapter.Calls);
    }

    private static Task Within(TimeSpan limit, params Task[] tasks) =>
        Task.WhenAll(tasks).WaitAsync(limit, TestContext.Current.CancellationToken);

    /// <summary>Records per-publisher sequence numbers and every place where one went backwards or repeated.</summary>
    private sealed class OrderCheckingSubscriber(int publishers) : ISubscriber
    {
        private readonly int[] _last = Enumerable.Repeat(-1, publishers).ToArray();
        private readonly int[] _counts = new int[publishers];

        public ConcurrentQueue<string> Violations { get; } = new();

        public int CountFrom(int publisher) => Volatile.Read(ref _counts[publisher]);

        public void Deliver(string topic, object message)
        {
            // Each publisher is one thread, and each slot is only touched by its publisher's thread.
            var numbered = (Numbered)message;
            var last = _last[numbered.Publisher];
            if (numbered.Sequence <= last)
            {
                Violations.Enqueue($"publisher {numbered.Publisher}: {numbered.Sequence} after {last}");
            }

            _last[numbered.Publisher] = numbered.Sequence;
            Interlocked.Increment(ref _counts[numbered.Publisher]);
        }
    }

    /// <summary>Counts how often each sequence number arrived.</summary>
    private sealed class CountingSubscriber(int size) : ISubscriber
    {
        private readonly int[] _seen = new int[size];

        public int Distinct => _seen.Count(n => n > 0);

        public int Duplicates => _seen.Count(n => n > 1);

        public void Deliver(string topic, object message) => Interlocked.Increment(ref _seen[((Numbered)message).Sequence]);
    }

    private sealed record Marker(int Id);

    /// <summary>Counts the markers addressed to it.</summary>
    private sealed class MarkerSubscriber(int id) : ISubscriber
    {
        private int _seen;

        public int Seen => Volatile.Read(ref _seen);

        public void Deliver(string topic, object message)
        {
            if (message is Marker marker && marker.Id == id)
            {
                Interlocked.Increment(ref _seen);
            }
        }
    }
}
