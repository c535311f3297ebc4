using System.Text;
using Fenix.PubSub.Adapters;
using Xunit;

namespace Fenix.PubSub.Tests;

/// <summary>The local semantics of <see cref="FenixPubSub"/>, observed through a recording adapter.</summary>
public sealed class PubSubTests
{
    private readonly RecordingAdapter _adapter = new();
    private readonly List<(string Topic, Exception Error)> _errors = [];
    private readonly FenixPubSub _pubsub;

    public PubSubTests() => _pubsub = new FenixPubSub(_adapter, (topic, e) => _errors.Add((topic, e)));

    [Fact]
    public void Subscriber_receives_broadcasts_of_its_topic_with_the_topic_name()
    {
        var subscriber = new RecordingSubscriber();
        var message = new TextMessage("hi");
        _pubsub.Subscribe("room:1", subscriber);

        _pubsub.Broadcast("room:1", message);

        var (topic, received) = Assert.Single(subscriber.Received);
        Assert.Equal("room:1", topic);
        Assert.Same(message, received);
    }

    [Fact]
    public void Broadcast_reaches_every_local_subscriber_once()
    {
        var subscribers = Enumerable.Range(0, 5).Select(i => new RecordingSubscriber($"s{i}")).ToArray();
        foreach (var subscriber in subscribers)
        {
            _pubsub.Subscribe("room:1", subscriber);
        }

        _pubsub.Broadcast("room:1", new TextMessage("hi"));

        Assert.All(subscribers, s => Assert.Single(s.Received));
    }

    [Fact]
    public void Other_topics_are_not_delivered_and_topics_compare_ordinally()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.Subscribe("room:1", subscriber);

        _pubsub.Broadcast("room:2", new TextMessage("x"));
        _pubsub.Broadcast("Room:1", new TextMessage("x"));
        _pubsub.Broadcast("room:1 ", new TextMessage("x"));
        _pubsub.Broadcast("room:", new TextMessage("x"));

        Assert.Empty(subscriber.Received);
    }

    [Fact]
    public void Broadcast_hands_the_message_to_the_adapter_once_even_without_local_subscribers()
    {
        var message = new TextMessage("hi");

        _pubsub.Broadcast("room:1", message);

        var (topic, sent) = Assert.Single(_adapter.Broadcasts);
        Assert.Equal("room:1", topic);
        Assert.Same(message, sent);
    }

    [Fact]
    public void Unsubscribed_subscriber_no_longer_receives()
    {
        var subscriber = new RecordingSubscriber();
        var other = new RecordingSubscriber();
        _pubsub.Subscribe("t", subscriber);
        _pubsub.Subscribe("t", other);

        Assert.True(_pubsub.Unsubscribe("t", subscriber));
        _pubsub.Broadcast("t", new TextMessage("after"));

        Assert.Empty(subscriber.Received);
        Assert.Single(other.Received);
    }

    [Fact]
    public void Unsubscribe_reports_whether_there_was_a_subscription()
    {
        var subscriber = new RecordingSubscriber();

        Assert.False(_pubsub.Unsubscribe("t", subscriber));
        _pubsub.Subscribe("t", subscriber);
        Assert.False(_pubsub.Unsubscribe("other", subscriber));
        Assert.False(_pubsub.Unsubscribe("t", new RecordingSubscriber()));
        Assert.True(_pubsub.Unsubscribe("t", subscriber));
        Assert.False(_pubsub.Unsubscribe("t", subscriber));
    }

    [Fact]
    public void Duplicate_subscriptions_deliver_once_per_subscription()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.Subscribe("t", subscriber);
        _pubsub.Subscribe("t", subscriber);

        _pubsub.Broadcast("t", new TextMessage("twice"));
        Assert.Equal(2, subscriber.Count);
        Assert.Equal(2, _pubsub.SubscriberCount("t"));

        _pubsub.Unsubscribe("t", subscriber);
        _pubsub.Broadcast("t", new TextMessage("once"));
        Assert.Equal(3, subscriber.Count);
        Assert.Equal(1, _pubsub.SubscriberCount("t"));
    }

    [Fact]
    public void BroadcastFrom_skips_only_the_sender()
    {
        var sender = new RecordingSubscriber("sender");
        var others = new[] { new RecordingSubscriber("a"), new RecordingSubscriber("b") };
        _pubsub.Subscribe("t", others[0]);
        _pubsub.Subscribe("t", sender);
        _pubsub.Subscribe("t", others[1]);

        _pubsub.BroadcastFrom(sender, "t", new TextMessage("hi"));

        Assert.Empty(sender.Received);
        Assert.All(others, s => Assert.Single(s.Received));
    }

    [Fact]
    public void BroadcastFrom_skips_every_subscription_of_the_sender()
    {
        var sender = new RecordingSubscriber("sender");
        var other = new RecordingSubscriber("other");
        _pubsub.Subscribe("t", sender);
        _pubsub.Subscribe("t", sender);
        _pubsub.Subscribe("t", other);
        _pubsub.Subscribe("t", other);

        _pubsub.BroadcastFrom(sender, "t", new TextMessage("hi"));

        Assert.Empty(sender.Received);
        Assert.Equal(2, other.Count);
    }

    [Fact]
    public void BroadcastFrom_a_non_subscriber_reaches_everyone_and_still_crosses_nodes()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.Subscribe("t", subscriber);
        var message = new TextMessage("hi");

        _pubsub.BroadcastFrom(new RecordingSubscriber("stranger"), "t", message);

        Assert.Single(subscriber.Received);
        Assert.Equal(("t", (IPubSubMessage)message), Assert.Single(_adapter.Broadcasts));
    }

    [Fact]
    public void LocalBroadcast_delivers_any_object_and_never_touches_the_adapter()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.Subscribe("t", subscriber);
        var callsBefore = _adapter.Calls;
        var plain = new object();

        _pubsub.LocalBroadcast("t", plain);
        _pubsub.LocalBroadcast("t", new TextMessage("local"));

        Assert.Equal([plain, new TextMessage("local")], subscriber.Messages);
        Assert.Equal(callsBefore, _adapter.Calls);
        Assert.Empty(_adapter.Broadcasts);
    }

    [Fact]
    public void LocalBroadcastFrom_skips_the_sender_and_never_touches_the_adapter()
    {
        var sender = new RecordingSubscriber("sender");
        var other = new RecordingSubscriber("other");
        _pubsub.Subscribe("t", sender);
        _pubsub.Subscribe("t", other);

        _pubsub.LocalBroadcastFrom(sender, "t", "local");

        Assert.Empty(sender.Received);
        Assert.Equal(["local"], other.Messages);
        Assert.Empty(_adapter.Broadcasts);
    }

    [Fact]
    public void DirectBroadcast_to_this_node_is_dispatched_locally_only()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.Subscribe("t", subscriber);
        var message = new TextMessage("direct");

        _pubsub.DirectBroadcast(_adapter.NodeName, "t", message);

        Assert.Equal([message], subscriber.Messages);
        Assert.Empty(_adapter.DirectBroadcasts);
        Assert.Empty(_adapter.Broadcasts);
    }

    [Fact]
    public void DirectBroadcast_to_another_node_goes_to_the_adapter_only()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.Subscribe("t", subscriber);
        var message = new TextMessage("direct");

        _pubsub.DirectBroadcast("node-b", "t", message);

        Assert.Empty(subscriber.Received);
        Assert.Equal(("node-b", "t", (IPubSubMessage)message), Assert.Single(_adapter.DirectBroadcasts));
        Assert.Empty(_adapter.Broadcasts);
    }

    [Fact]
    public void DirectBroadcast_compares_node_names_exactly()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.Subscribe("t", subscriber);

        _pubsub.DirectBroadcast("NODE-A", "t", new TextMessage("x"));

        Assert.Empty(subscriber.Received);
        Assert.Single(_adapter.DirectBroadcasts);
    }

    [Fact]
    public void Topic_is_activated_on_first_subscribe_and_deactivated_on_last_unsubscribe_only()
    {
        var a = new RecordingSubscriber("a");
        var b = new RecordingSubscriber("b");

        _pubsub.Subscribe("t", a);
        Assert.Equal(["activate:t"], _adapter.Calls);
        _pubsub.Subscribe("t", b);
        _pubsub.Subscribe("t", a);
        Assert.Equal(["activate:t"], _adapter.Calls);

        _pubsub.Unsubscribe("t", a);
        _pubsub.Unsubscribe("t", b);
        Assert.Equal(["activate:t"], _adapter.Calls);
        _pubsub.Unsubscribe("t", a);
        Assert.Equal(["activate:t", "deactivate:t"], _adapter.Calls);

        _pubsub.Unsubscribe("t", a); // nothing left: no second deactivation
        _pubsub.Subscribe("t", b);
        Assert.Equal(["activate:t", "deactivate:t", "activate:t"], _adapter.Calls);
    }

    [Fact]
    public void Activation_is_tracked_per_topic()
    {
        var subscriber = new RecordingSubscriber();

        _pubsub.Subscribe("a", subscriber);
        _pubsub.Subscribe("b", subscriber);
        _pubsub.Unsubscribe("a", subscriber);

        Assert.Equal(["activate:a", "activate:b", "deactivate:a"], _adapter.Calls);
    }

    [Fact]
    public void Failed_unsubscribe_does_not_deactivate()
    {
        _pubsub.Subscribe("t", new RecordingSubscriber("a"));

        _pubsub.Unsubscribe("t", new RecordingSubscriber("b"));
        _pubsub.Unsubscribe("never", new RecordingSubscriber("b"));

        Assert.Equal(["activate:t"], _adapter.Calls);
    }

    [Fact]
    public void A_failing_activation_leaves_no_trace_and_is_retried_by_the_next_subscribe()
    {
        var subscriber = new RecordingSubscriber();
        _adapter.ThrowOnNextActivation = new InvalidOperationException("broker down");

        Assert.Throws<InvalidOperationException>(() => _pubsub.Subscribe("t", subscriber));
        Assert.Empty(_pubsub.LocalTopics());
        Assert.Equal(0, _pubsub.SubscriberCount("t"));

        _pubsub.Subscribe("t", subscriber);
        Assert.Equal(["activate:t"], _adapter.Calls);
        _pubsub.Broadcast("t", new TextMessage("x"));
        Assert.Single(subscriber.Received);
    }

    [Fact]
    public void Local_topics_and_counts_follow_subscriptions()
    {
        var a = new RecordingSubscriber("a");
        Assert.Empty(_pubsub.LocalTopics());

        _pubsub.Subscribe("x", a);
        _pubsub.Subscribe("y", a);
        Assert.Equal(["x", "y"], _pubsub.LocalTopics().Order(StringComparer.Ordinal));
        Assert.Equal(1, _pubsub.SubscriberCount("x"));
        Assert.Equal(0, _pubsub.SubscriberCount("z"));

        _pubsub.Unsubscribe("x", a);
        Assert.Equal(["y"], _pubsub.LocalTopics());
    }

    [Fact]
    public void A_throwing_subscriber_does_not_stop_delivery_to_the_others()
    {
        var before = new RecordingSubscriber("before");
        var thrower = new ThrowingSubscriber();
        var after = new RecordingSubscriber("after");
        _pubsub.Subscribe("t", before);
        _pubsub.Subscribe("t", thrower);
        _pubsub.Subscribe("t", after);

        _pubsub.Broadcast("t", new TextMessage("x"));

        Assert.Single(before.Received);
        Assert.Single(after.Received);
        Assert.Equal(1, thrower.Calls);
        var (topic, error) = Assert.Single(_errors);
        Assert.Equal("t", topic);
        Assert.IsType<InvalidOperationException>(error);
    }

    [Fact]
    public void A_throwing_subscriber_without_an_error_callback_is_ignored()
    {
        var pubsub = new FenixPubSub(new RecordingAdapter());
        var after = new RecordingSubscriber();
        pubsub.Subscribe("t", new ThrowingSubscriber());
        pubsub.Subscribe("t", after);

        pubsub.Broadcast("t", new TextMessage("x"));
        pubsub.LocalBroadcast("t", "y");

        Assert.Equal(2, after.Count);
    }

    [Fact]
    public async Task Start_hands_the_adapter_this_pubsub_as_its_inbound()
    {
        await _pubsub.StartAsync(TestContext.Current.CancellationToken);

        Assert.Same(_pubsub, _adapter.Inbound);
    }

    [Fact]
    public async Task Remote_delivery_decodes_with_the_codec_named_and_dispatches_locally()
    {
        var decoder = new TextDecoder();
        var subscriber = new RecordingSubscriber();
        _pubsub.RegisterDecoder(decoder);
        _pubsub.Subscribe("t", subscriber);
        await _pubsub.StartAsync(TestContext.Current.CancellationToken);

        _adapter.Inbound!.DeliverRemote("t", TextMessage.CodecName, Encoding.UTF8.GetBytes("from afar"));

        Assert.Equal([new TextMessage("from afar")], subscriber.Messages);
        Assert.Equal(["t"], decoder.Topics);
        Assert.Empty(_adapter.Broadcasts); // remote messages are not sent on again
        Assert.Empty(_errors);
    }

    [Fact]
    public void Remote_delivery_with_an_unknown_codec_is_reported_and_dropped()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.RegisterDecoder(new TextDecoder());
        _pubsub.Subscribe("t", subscriber);

        ((IPubSubInbound)_pubsub).DeliverRemote("t", "unknown-codec", new byte[] { 1 });

        Assert.Empty(subscriber.Received);
        var (topic, error) = Assert.Single(_errors);
        Assert.Equal("t", topic);
        Assert.Contains("unknown-codec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Codec_names_are_case_sensitive()
    {
        _pubsub.RegisterDecoder(new TextDecoder());
        _pubsub.Subscribe("t", new RecordingSubscriber());

        ((IPubSubInbound)_pubsub).DeliverRemote("t", "TEXT", Encoding.UTF8.GetBytes("x"));

        Assert.Single(_errors);
    }

    [Fact]
    public void Remote_delivery_whose_decoder_throws_is_reported_and_dropped()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.RegisterDecoder(new TextDecoder());
        _pubsub.Subscribe("t", subscriber);

        ((IPubSubInbound)_pubsub).DeliverRemote("t", TextMessage.CodecName, Encoding.UTF8.GetBytes("poison"));

        Assert.Empty(subscriber.Received);
        Assert.IsType<FormatException>(Assert.Single(_errors).Error);
    }

    [Fact]
    public void Remote_delivery_without_an_error_callback_does_not_throw()
    {
        var pubsub = new FenixPubSub(new RecordingAdapter());

        ((IPubSubInbound)pubsub).DeliverRemote("t", "unknown", new byte[] { 1 });
    }

    [Fact]
    public void A_later_decoder_for_the_same_codec_replaces_the_earlier()
    {
        var first = new TextDecoder();
        var second = new TextDecoder();
        _pubsub.RegisterDecoder(first);
        _pubsub.RegisterDecoder(second);

        ((IPubSubInbound)_pubsub).DeliverRemote("t", TextMessage.CodecName, Encoding.UTF8.GetBytes("x"));

        Assert.Empty(first.Topics);
        Assert.Equal(["t"], second.Topics);
    }

    [Fact]
    public void Remote_delivery_reaches_all_local_subscribers_including_duplicates()
    {
        var a = new RecordingSubscriber("a");
        var b = new RecordingSubscriber("b");
        _pubsub.RegisterDecoder(new TextDecoder());
        _pubsub.Subscribe("t", a);
        _pubsub.Subscribe("t", a);
        _pubsub.Subscribe("t", b);

        ((IPubSubInbound)_pubsub).DeliverRemote("t", TextMessage.CodecName, Encoding.UTF8.GetBytes("x"));

        Assert.Equal(2, a.Count);
        Assert.Equal(1, b.Count);
    }

    [Fact]
    public void Messages_from_one_publisher_arrive_in_publish_order()
    {
        var subscriber = new RecordingSubscriber();
        _pubsub.Subscribe("t", subscriber);

        for (var i = 0; i < 100; i++)
        {
            _pubsub.Broadcast("t", new Numbered(0, i));
        }

        Assert.Equal(Enumerable.Range(0, 100), subscriber.Messages.Cast<Numbered>().Select(n => n.Sequence));
    }

    [Fact]
    public void A_subscriber_may_unsubscribe_itself_during_delivery_without_affecting_this_dispatch()
    {
        var others = new[] { new RecordingSubscriber("a"), new RecordingSubscriber("b") };
        var leaver = new SelfRemovingSubscriber(_pubsub);
        _pubsub.Subscribe("t", others[0]);
        _pubsub.Subscribe("t", leaver);
        _pubsub.Subscribe("t", others[1]);

        _pubsub.Broadcast("t", new TextMessage("1"));
        _pubsub.Broadcast("t", new TextMessage("2"));

        Assert.Equal(1, leaver.Calls);
        Assert.All(others, s => Assert.Equal(2, s.Count));
    }

    [Fact]
    public async Task Dispose_disposes_the_adapter()
    {
        await _pubsub.DisposeAsync();

        Assert.True(_adapter.Disposed);
    }

    [Fact]
    public void Node_name_and_adapter_come_from_the_adapter()
    {
        Assert.Equal("node-a", _pubsub.NodeName);
        Assert.Same(_adapter, _pubsub.Adapter);
    }

    [Fact]
    public void Default_pubsub_is_single_node_in_process()
    {
        var pubsub = new FenixPubSub();
        var subscriber = new RecordingSubscriber();
        pubsub.Subscribe("t", subscriber);

        pubsub.Broadcast("t", new TextMessage("x"));
        pubsub.DirectBroadcast(pubsub.NodeName, "t", new TextMessage("y"));
        pubsub.DirectBroadcast("elsewhere", "t", new TextMessage("z"));

        Assert.IsType<InProcessAdapter>(pubsub.Adapter);
        Assert.False(string.IsNullOrEmpty(pubsub.NodeName));
        Assert.Equal([new TextMessage("x"), new TextMessage("y")], subscriber.Messages);
    }

    [Fact]
    public void In_process_adapter_uses_the_given_name_or_a_machine_and_process_name()
    {
        Assert.Equal("n1", new InProcessAdapter("n1").NodeName);
        Assert.Equal($"{Environment.MachineName}-{Environment.ProcessId}", new InProcessAdapter().NodeName);
    }

    private sealed class SelfRemovingSubscriber(FenixPubSub pubsub) : ISubscriber
    {
        public int Calls;

        public void Deliver(string topic, object message)
        {
            Calls++;
            pubsub.Unsubscribe(topic, this);
        }
    }
}
