using Xunit;

namespace Fenix.PubSub.Specification;

/// <summary>What holds on any one node, whatever the adapter: local delivery, and an adapter that never echoes or throws.</summary>
public abstract partial class PubSubAdapterConformance
{
    [Fact]
    public async Task Broadcast_reaches_every_local_subscriber_exactly_once()
    {
        var node = await StartNodeAsync("solo");
        var topic = Topic("local");
        var first = node.Subscribe(topic);
        var second = node.Subscribe(topic);
        var barrier = node.Subscribe(Topic("local-barrier"));
        var peer = MaxNodes >= 2 ? await StartNodeAsync("peer") : null;
        var peerSubscriber = peer?.Subscribe(topic);
        await SettleAsync(peer is null ? [node] : [node, peer]);

        node.Broadcast(topic, "hello");

        // Delivery to local subscribers happens during the call; an echo through the adapter would come after.
        Assert.Equal(["hello"], first.Texts);
        Assert.Equal(["hello"], second.Texts);
        if (peer is not null)
        {
            // A barrier: once the peer has "hello", it answers; its answer reaches this node after any echo of "hello"
            // that the adapter sent back here when publishing it.
            await peerSubscriber!.WaitForAsync("hello");
            peer.Broadcast(Topic("local-barrier"), "back");
            await barrier.WaitForAsync("back");
        }

        Assert.Equal(["hello"], first.Texts);
        Assert.Equal(["hello"], second.Texts);
    }

    [Fact]
    public async Task BroadcastFrom_skips_the_sender_only()
    {
        var node = await StartNodeAsync("solo");
        var topic = Topic("from");
        var sender = node.Subscribe(topic);
        var other = node.Subscribe(topic);
        await SettleAsync(node);

        node.PubSub.BroadcastFrom(sender, topic, new ConformanceMessage("hi"));

        Assert.Empty(sender.Texts);
        Assert.Equal(["hi"], other.Texts);
    }

    [Fact]
    public async Task Duplicate_subscriptions_each_get_a_copy_and_unsubscribe_removes_one()
    {
        var node = await StartNodeAsync("solo");
        var topic = Topic("dup");
        var subscriber = node.Subscribe(topic);
        node.PubSub.Subscribe(topic, subscriber);

        node.Broadcast(topic, "one");
        Assert.True(node.PubSub.Unsubscribe(topic, subscriber));
        node.Broadcast(topic, "two");
        Assert.True(node.PubSub.Unsubscribe(topic, subscriber));
        node.Broadcast(topic, "three");

        Assert.Equal(["one", "one", "two"], subscriber.Texts);
        Assert.False(node.PubSub.Unsubscribe(topic, subscriber));
    }

    [Fact]
    public async Task Direct_broadcast_to_this_node_delivers_locally()
    {
        var node = await StartNodeAsync("solo");
        var topic = Topic("direct-self");
        var subscriber = node.Subscribe(topic);

        node.PubSub.DirectBroadcast(node.Name, topic, new ConformanceMessage("to me"));

        Assert.Equal(["to me"], subscriber.Texts);
    }

    [Fact]
    public async Task Messages_for_unknown_nodes_and_unencodable_messages_do_not_throw()
    {
        var node = await StartNodeAsync("solo");
        var topic = Topic("robust");
        var subscriber = node.Subscribe(topic);

        node.PubSub.DirectBroadcast($"nobody-{Guid.NewGuid():N}", topic, new ConformanceMessage("lost"));
        node.PubSub.Broadcast(topic, new FaultyMessage()); // the adapter cannot encode it; local delivery still happens
        node.Broadcast(topic, "after");

        Assert.Equal(["after"], subscriber.Texts);
    }

    [Fact]
    public async Task A_disposed_adapter_neither_throws_nor_blocks()
    {
        var node = await StartNodeAsync("solo");
        var topic = Topic("disposed");
        var subscriber = node.Subscribe(topic);
        await node.Adapter.DisposeAsync();

        node.Broadcast(topic, "still local");
        node.PubSub.DirectBroadcast($"nobody-{Guid.NewGuid():N}", topic, new ConformanceMessage("lost"));
        node.Adapter.TopicActivated(Topic("late"));
        node.Adapter.TopicDeactivated(Topic("late"));
        await node.Adapter.DisposeAsync(); // twice is fine

        Assert.Equal(["still local"], subscriber.Texts);
    }
}
