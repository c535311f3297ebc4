using Xunit;

namespace Fenix.PubSub.Tests;

/// <summary>The copy-on-write snapshots behind dispatch.</summary>
public sealed class TopicRegistryTests
{
    private readonly List<(string Topic, bool Active)> _activations = [];
    private readonly TopicRegistry _registry;

    public TopicRegistryTests() => _registry = new TopicRegistry((topic, active) => _activations.Add((topic, active)));

    [Fact]
    public void Unknown_topic_has_an_empty_snapshot()
    {
        Assert.Empty(_registry.Subscribers("nothing"));
        Assert.Equal(0, _registry.TopicCount);
    }

    [Fact]
    public void Snapshot_is_reused_until_the_next_change()
    {
        var a = new RecordingSubscriber("a");
        _registry.Subscribe("t", a);

        var first = _registry.Subscribers("t");
        var second = _registry.Subscribers("t");

        Assert.Same(first, second);
        Assert.Equal([a], first);
    }

    [Fact]
    public void Published_snapshots_are_never_mutated_by_later_changes()
    {
        var a = new RecordingSubscriber("a");
        var b = new RecordingSubscriber("b");
        _registry.Subscribe("t", a);
        var before = _registry.Subscribers("t");

        _registry.Subscribe("t", b);
        var during = _registry.Subscribers("t");
        _registry.Unsubscribe("t", a);
        var after = _registry.Subscribers("t");

        Assert.Equal([a], before);
        Assert.Equal(2, during.Length);
        Assert.Contains(a, during);
        Assert.Contains(b, during);
        Assert.Equal([b], after);
        Assert.NotSame(before, during);
        Assert.NotSame(during, after);
    }

    [Fact]
    public void Duplicates_appear_once_per_subscription_in_the_snapshot()
    {
        var a = new RecordingSubscriber("a");
        var b = new RecordingSubscriber("b");
        _registry.Subscribe("t", a);
        _registry.Subscribe("t", b);
        _registry.Subscribe("t", a);

        var snapshot = _registry.Subscribers("t");

        Assert.Equal(3, snapshot.Length);
        Assert.Equal(2, snapshot.Count(s => ReferenceEquals(s, a)));
        Assert.Equal(3, _registry.SubscriberCount("t"));
    }

    [Fact]
    public void Subscribers_are_told_apart_by_reference_not_equality()
    {
        var a = new EqualSubscriber();
        var b = new EqualSubscriber();
        _registry.Subscribe("t", a);
        _registry.Subscribe("t", b);

        Assert.Equal(2, _registry.SubscriberCount("t"));
        Assert.True(_registry.Unsubscribe("t", a));
        Assert.Same(b, Assert.Single(_registry.Subscribers("t")));
    }

    [Fact]
    public void Topic_entries_are_removed_with_their_last_subscriber()
    {
        var a = new RecordingSubscriber("a");
        _registry.Subscribe("x", a);
        _registry.Subscribe("y", a);
        Assert.Equal(2, _registry.TopicCount);

        _registry.Unsubscribe("x", a);

        Assert.Equal(1, _registry.TopicCount);
        Assert.Equal(["y"], _registry.Topics());
        Assert.Equal([("x", true), ("y", true), ("x", false)], _activations);
    }

    [Fact]
    public void Many_topics_sharing_lock_stripes_stay_independent()
    {
        var subscriber = new RecordingSubscriber();
        for (var i = 0; i < 500; i++)
        {
            _registry.Subscribe($"topic:{i}", subscriber);
        }

        for (var i = 0; i < 500; i += 2)
        {
            _registry.Unsubscribe($"topic:{i}", subscriber);
        }

        Assert.Equal(250, _registry.TopicCount);
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(i % 2, _registry.SubscriberCount($"topic:{i}"));
        }

        Assert.Equal(500, _activations.Count(a => a.Active));
        Assert.Equal(250, _activations.Count(a => !a.Active));
    }

    [Fact]
    public void Topics_is_a_copy()
    {
        var subscriber = new RecordingSubscriber();
        _registry.Subscribe("x", subscriber);

        var topics = _registry.Topics();
        _registry.Subscribe("y", subscriber);

        Assert.Equal(["x"], topics);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_subscribes_and_unsubscribes_match_a_model_of_subscription_counts(int seed)
    {
        // Few subscribers and topics, so topics keep crossing between one subscriber (kept inline) and several,
        // with duplicate subscriptions on either side.
        var random = new Random(seed);
        ISubscriber[] subscribers = [new EqualSubscriber(), new EqualSubscriber(), new EqualSubscriber()];
        string[] topics = ["a", "b"];
        var model = new Dictionary<(string Topic, int Subscriber), int>(); // by index: these subscribers all compare equal

        for (var step = 0; step < 2_000; step++)
        {
            var topic = topics[random.Next(topics.Length)];
            var index = random.Next(subscribers.Length);
            var subscriber = subscribers[index];
            var count = model.GetValueOrDefault((topic, index));
            if (random.Next(2) == 0)
            {
                _registry.Subscribe(topic, subscriber);
                model[(topic, index)] = count + 1;
            }
            else
            {
                Assert.Equal(count > 0, _registry.Unsubscribe(topic, subscriber));
                model[(topic, index)] = Math.Max(0, count - 1);
            }

            foreach (var t in topics)
            {
                Assert.Equal(Enumerable.Range(0, subscribers.Length).Sum(i => model.GetValueOrDefault((t, i))), _registry.SubscriberCount(t));
                var snapshot = _registry.Subscribers(t);
                for (var i = 0; i < subscribers.Length; i++)
                {
                    Assert.Equal(model.GetValueOrDefault((t, i)), snapshot.Count(x => ReferenceEquals(x, subscribers[i])));
                }

                Assert.Equal(snapshot.Length > 0, _registry.Topics().Contains(t));
            }
        }

        foreach (var t in topics)
        {
            var activations = _activations.Where(a => a.Topic == t).Select(a => a.Active).ToList();
            Assert.All(activations.Zip(activations.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second)); // on, off, on, …
            Assert.Equal(_registry.Topics().Contains(t), activations.LastOrDefault());
        }
    }

    /// <summary>Every instance equals every other: the registry must not merge them.</summary>
    private sealed class EqualSubscriber : ISubscriber
    {
        public void Deliver(string topic, object message)
        {
        }

        public override bool Equals(object? obj) => obj is EqualSubscriber;

        public override int GetHashCode() => 1;
    }
}
