using System.Buffers;
using Fenix.PubSub.Broker;
using Xunit;

namespace Fenix.PubSub.RabbitMQ.Tests.Units;

public sealed class OutgoingQueueTests
{
    [Fact]
    public void The_queue_refuses_what_would_exceed_its_byte_bound_and_frees_room_as_it_is_read()
    {
        var queue = new OutgoingQueue(maxBytes: 1000);
        Assert.True(queue.TryEnqueue(Message(400)));
        Assert.True(queue.TryEnqueue(Message(400)));
        Assert.False(queue.TryEnqueue(Message(100))); // 2 × 464 + 164 > 1000
        Assert.Equal(2 * (400 + OutgoingMessage.Overhead), queue.QueuedBytes);

        Assert.True(queue.TryDequeue(out var first));
        first.Release();
        Assert.True(queue.TryEnqueue(Message(100)));
        Assert.Equal(2, queue.DropAll());
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public void A_completed_queue_refuses_everything()
    {
        var queue = new OutgoingQueue(maxBytes: 1000);
        queue.Complete();
        Assert.False(queue.TryEnqueue(Message(1)));
        Assert.Equal(0, queue.QueuedBytes);
    }

    private static OutgoingMessage Message(int length) =>
        new("ex", "key", "topic", "codec", ArrayPool<byte>.Shared.Rent(Math.Max(1, length)), length);
}
