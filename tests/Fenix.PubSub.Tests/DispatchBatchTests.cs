using System.Text;
using Xunit;

namespace Fenix.PubSub.Tests;

/// <summary>
/// <see cref="FenixPubSub.DispatchBatch"/> brackets every dispatch to local subscribers on the dispatching thread, for
/// messages published here and messages from other nodes alike (a host batches the writes a broadcast causes with it).
/// </summary>
public sealed class DispatchBatchTests
{
    private readonly RecordingBatch _batch = new();
    private readonly RecordingAdapter _adapter = new();
    private readonly FenixPubSub _pubsub;

    public DispatchBatchTests()
    {
        _pubsub = new FenixPubSub(_adapter) { DispatchBatch = _batch };
        _pubsub.RegisterDecoder(new TextDecoder());
    }

    [Fact]
    public void A_local_broadcast_delivers_to_every_subscriber_inside_one_bracket()
    {
        _pubsub.Subscribe("t", new DepthSubscriber(_batch, "a"));
        _pubsub.Subscribe("t", new DepthSubscriber(_batch, "b"));

        _pubsub.Broadcast("t", new TextMessage("x"));

        Assert.Equal(["begin", "a@1", "b@1", "end"], _batch.Events);
    }

    [Fact]
    public void A_message_from_another_node_is_bracketed_like_a_local_one()
    {
        _pubsub.Subscribe("t", new DepthSubscriber(_batch, "a"));
        _pubsub.Subscribe("t", new DepthSubscriber(_batch, "b"));

        ((IPubSubInbound)_pubsub).DeliverRemote("t", TextMessage.CodecName, Encoding.UTF8.GetBytes("from afar"));

        Assert.Equal(["begin", "a@1", "b@1", "end"], _batch.Events);
    }

    [Fact]
    public void The_bracket_closes_when_a_subscriber_throws_and_the_others_still_get_the_message()
    {
        var thrower = new ThrowingSubscriber();
        _pubsub.Subscribe("t", thrower);
        _pubsub.Subscribe("t", new DepthSubscriber(_batch, "a"));

        _pubsub.LocalBroadcast("t", new TextMessage("x"));

        Assert.Equal(1, thrower.Calls);
        Assert.Equal(["begin", "a@1", "end"], _batch.Events);
        Assert.Equal(0, _batch.Depth);
    }

    [Fact]
    public void A_dispatch_started_by_a_subscriber_nests_inside_the_outer_one()
    {
        _pubsub.Subscribe("outer", new RepublishingSubscriber(_pubsub, "inner"));
        _pubsub.Subscribe("inner", new DepthSubscriber(_batch, "a"));

        _pubsub.LocalBroadcast("outer", new TextMessage("x"));

        Assert.Equal(["begin", "begin", "a@2", "end", "end"], _batch.Events);
    }

    private sealed class RecordingBatch : IDispatchBatch
    {
        public List<string> Events { get; } = [];

        public int Depth { get; private set; }

        public void Begin()
        {
            Depth++;
            Events.Add("begin");
        }

        public void End()
        {
            Depth--;
            Events.Add("end");
        }
    }

    private sealed class DepthSubscriber(RecordingBatch batch, string name) : ISubscriber
    {
        public void Deliver(string topic, object message) => batch.Events.Add($"{name}@{batch.Depth}");
    }

    private sealed class RepublishingSubscriber(FenixPubSub pubsub, string topic) : ISubscriber
    {
        public void Deliver(string from, object message) => pubsub.LocalBroadcast(topic, message);
    }
}
