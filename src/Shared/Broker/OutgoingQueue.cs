using System.Threading.Channels;

namespace Fenix.PubSub.Broker;

/// <summary>
/// Messages waiting for the publisher loop, in arrival order, bounded in bytes: any thread enqueues without blocking
/// and learns at once whether the message fit; only the publisher loop dequeues.
/// </summary>
internal sealed class OutgoingQueue(long maxBytes)
{
    private readonly Channel<OutgoingMessage> _channel = System.Threading.Channels.Channel.CreateUnbounded<OutgoingMessage>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    /// <summary>The summed <see cref="OutgoingMessage.Cost"/> of queued messages; reserved before a write, released after a read.</summary>
    private long _bytes;

    public long QueuedBytes => Volatile.Read(ref _bytes);

    /// <summary>Queues <paramref name="message"/>; false (and nothing queued) when it would exceed the byte bound.</summary>
    public bool TryEnqueue(OutgoingMessage message)
    {
        var cost = message.Cost;
        if (Interlocked.Add(ref _bytes, cost) > maxBytes)
        {
            Interlocked.Add(ref _bytes, -cost);
            return false;
        }

        if (!_channel.Writer.TryWrite(message))
        {
            Interlocked.Add(ref _bytes, -cost);
            return false;
        }

        return true;
    }

    public bool TryDequeue(out OutgoingMessage message)
    {
        if (_channel.Reader.TryRead(out message!))
        {
            Interlocked.Add(ref _bytes, -message.Cost);
            return true;
        }

        return false;
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Empties the queue, releasing every buffer; returns how many messages were dropped.</summary>
    public int DropAll()
    {
        var dropped = 0;
        while (TryDequeue(out var message))
        {
            message.Release();
            dropped++;
        }

        return dropped;
    }

    /// <summary>Refuses further messages (they are dropped by <see cref="TryEnqueue"/>) and wakes the reader.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
