using Xunit;

namespace Fenix.PubSub.Specification;

/// <summary>What an adapter that connects nodes must do (skipped for adapters that form a single node).</summary>
public abstract partial class PubSubAdapterConformance
{
    [Fact]
    public async Task Broadcast_reaches_every_node_exactly_once()
    {
        var (a, b, c) = await ThreeNodesAsync();
        var topic = Topic("fanout");
        var onA = a.Subscribe(topic);
        var onB = b.Subscribe(topic);
        var onC = c.Subscribe(topic);
        await SettleAsync(a, b, c);

        a.Broadcast(topic, "from a");

        await onB.WaitForAsync("from a");
        await onC.WaitForAsync("from a");
        await BarrierAsync(a, b);
        await BarrierAsync(a, c);
        Assert.Equal(["from a"], onA.Texts); // delivered locally once, never echoed back by the adapter
        Assert.Equal(["from a"], onB.Texts);
        Assert.Equal(["from a"], onC.Texts);
    }

    [Fact]
    public async Task BroadcastFrom_reaches_other_nodes_and_skips_only_the_sender()
    {
        var (a, b) = await TwoNodesAsync();
        var topic = Topic("from-remote");
        var sender = a.Subscribe(topic);
        var neighbour = a.Subscribe(topic);
        var remote = b.Subscribe(topic);
        await SettleAsync(a, b);

        a.PubSub.BroadcastFrom(sender, topic, new ConformanceMessage("hi"));

        await remote.WaitForAsync("hi");
        await BarrierAsync(a, b);
        Assert.Empty(sender.Texts);
        Assert.Equal(["hi"], neighbour.Texts);
        Assert.Equal(["hi"], remote.Texts);
    }

    [Fact]
    public async Task LocalBroadcast_stays_on_its_node()
    {
        var (a, b) = await TwoNodesAsync();
        var topic = Topic("local-only");
        var local = a.Subscribe(topic);
        var remote = b.Subscribe(topic);
        await SettleAsync(a, b);

        a.PubSub.LocalBroadcast(topic, new ConformanceMessage("here"));
        await BarrierAsync(a, b);

        Assert.Equal(["here"], local.Texts);
        Assert.Empty(remote.Texts);
    }

    [Fact]
    public async Task One_publishers_messages_arrive_in_order_on_every_topic()
    {
        var (a, b) = await TwoNodesAsync();
        var first = Topic("order-1");
        var second = Topic("order-2");
        var all = new RecordingSubscriber("b/all", DeliveryTimeout);
        b.PubSub.Subscribe(first, all);
        b.PubSub.Subscribe(second, all);
        await SettleAsync(b);

        const int count = 2000;
        var sent = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var text = $"m{i}";
            sent.Add(text);
            a.Broadcast(i % 3 == 0 ? second : first, text);
        }

        await all.WaitForCountAsync(count);
        Assert.Equal(sent, all.Texts); // the order of sending, across topics
    }

    [Fact]
    public async Task An_unsubscribed_node_receives_nothing_until_it_subscribes_again()
    {
        var (a, b) = await TwoNodesAsync();
        var topic = Topic("unsubscribe");
        var subscriber = b.Subscribe(topic);
        await SettleAsync(b);
        a.Broadcast(topic, "before");
        await subscriber.WaitForAsync("before");

        Assert.True(b.PubSub.Unsubscribe(topic, subscriber));
        await SettleAsync(b);
        a.Broadcast(topic, "while away");
        await BarrierAsync(a, b);
        Assert.Equal(["before"], subscriber.Texts);

        b.PubSub.Subscribe(topic, subscriber);
        await SettleAsync(b);
        a.Broadcast(topic, "again");
        await subscriber.WaitForAsync("again");
        Assert.Equal(["before", "again"], subscriber.Texts);
    }

    [Fact]
    public async Task Direct_broadcast_reaches_only_the_named_node()
    {
        var (a, b, c) = await ThreeNodesAsync();
        var topic = Topic("direct");
        var onA = a.Subscribe(topic);
        var onB = b.Subscribe(topic);
        var onC = c.Subscribe(topic);
        await SettleAsync(a, b, c);

        a.PubSub.DirectBroadcast(b.Name, topic, new ConformanceMessage("for b"));

        await onB.WaitForAsync("for b");
        await BarrierAsync(a, c);
        Assert.Empty(onA.Texts);
        Assert.Equal(["for b"], onB.Texts);
        Assert.Empty(onC.Texts);
    }

    [Fact]
    public async Task Direct_broadcast_to_an_unknown_node_is_dropped_and_the_rest_goes_on()
    {
        var (a, b) = await TwoNodesAsync();
        var topic = Topic("direct-unknown");
        var onB = b.Subscribe(topic);
        await SettleAsync(b);

        a.PubSub.DirectBroadcast($"nobody-{Guid.NewGuid():N}", topic, new ConformanceMessage("lost"));
        a.PubSub.DirectBroadcast(b.Name, topic, new ConformanceMessage("delivered"));

        await onB.WaitForAsync("delivered");
        Assert.Equal(["delivered"], onB.Texts);
    }

    [Fact]
    public async Task A_stopped_node_receives_nothing_and_the_others_go_on()
    {
        var (a, b, c) = await ThreeNodesAsync();
        var topic = Topic("stopped");
        var onB = b.Subscribe(topic);
        var onC = c.Subscribe(topic);
        await SettleAsync(b, c);
        a.Broadcast(topic, "all up");
        await onB.WaitForAsync("all up");
        await onC.WaitForAsync("all up");

        await c.DisposeAsync();
        a.Broadcast(topic, "c is down");
        a.PubSub.DirectBroadcast(c.Name, topic, new ConformanceMessage("to the stopped node"));
        a.PubSub.DirectBroadcast(b.Name, topic, new ConformanceMessage("to b"));

        await onB.WaitForAsync("to b");
        Assert.Equal(["all up", "c is down", "to b"], onB.Texts);
        Assert.Equal(["all up"], onC.Texts);
    }

    [Fact]
    public async Task A_message_without_a_decoder_is_reported_and_the_rest_goes_on()
    {
        var (a, b) = await TwoNodesAsync();
        var topic = Topic("undecodable");
        var onB = b.Subscribe(topic);
        await SettleAsync(b);

        a.PubSub.Broadcast(topic, new UndecodableMessage("?"));
        a.PubSub.Broadcast(topic, new FaultyMessage());
        a.Broadcast(topic, "fine");

        await onB.WaitForAsync("fine");
        Assert.Equal(["fine"], onB.Texts);
        Assert.Contains(b.DeliveryErrors, e => e.Topic == topic && e.Error.Message.Contains("fenix.conformance.unknown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Large_and_empty_messages_cross_intact()
    {
        var (a, b) = await TwoNodesAsync();
        var topic = Topic("sizes");
        var onB = b.Subscribe(topic);
        await SettleAsync(b);
        var large = string.Concat(Enumerable.Repeat("0123456789abcdef", 64 * 1024)); // 1 MB

        a.Broadcast(topic, "");
        a.Broadcast(topic, large);
        a.Broadcast(topic, "ü€😀");

        await onB.WaitForCountAsync(3);
        Assert.Equal(["", large, "ü€😀"], onB.Texts);
    }

    private async Task<(ConformanceNode, ConformanceNode)> TwoNodesAsync()
    {
        var nodes = await StartNodesAsync(2);
        return (nodes[0], nodes[1]);
    }

    private async Task<(ConformanceNode, ConformanceNode, ConformanceNode)> ThreeNodesAsync()
    {
        var nodes = await StartNodesAsync(3);
        return (nodes[0], nodes[1], nodes[2]);
    }
}
