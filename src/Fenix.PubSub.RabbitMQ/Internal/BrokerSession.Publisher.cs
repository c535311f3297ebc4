using Fenix.PubSub.Broker;
using RabbitMQ.Client;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>The publisher loop: drains the outgoing queue, packing consecutive messages for one destination together.</summary>
internal sealed partial class BrokerSession
{
    /// <summary>Messages taken from the queue per round before the loop yields to check for cancellation.</summary>
    private const int MessagesPerRound = 4096;

    /// <summary>Owned by the publisher loop.</summary>
    private readonly BatchBuilder _batch;

    /// <summary>
    /// Publishing hands the serialized frames to the connection's writer and returns: publishes are pipelined (no
    /// confirms, at-most-once), and one channel keeps them in order. A failure ends the session.
    /// </summary>
    private async Task PublishLoopAsync(CancellationToken cancellationToken)
    {
        var outgoing = _context.Outgoing;
        var epoch = _context.Epoch;
        OutgoingMessage? waiting = null; // taken from the queue, not yet in a batch
        try
        {
            while (await outgoing.WaitToReadAsync(cancellationToken))
            {
                for (var i = 0; i < MessagesPerRound && outgoing.TryDequeue(out var message); i++)
                {
                    if (message.Epoch != epoch)
                    {
                        message.Release(); // queued while an earlier session was ending: too late to send
                        _context.Drops.Dropped(1, "disconnected");
                        continue;
                    }

                    waiting = message;
                    if (!_batch.TryAdd(message))
                    {
                        await PublishBatchAsync(cancellationToken);
                        _batch.TryAdd(message); // an empty batch takes any message
                    }

                    waiting = null;
                    message.Release();
                }

                await PublishBatchAsync(cancellationToken);
            }
        }
        finally
        {
            if (waiting is not null)
            {
                waiting.Release();
                _context.Drops.Dropped(1, "publish_failed");
            }

            _context.Drops.Dropped(_batch.Count, "publish_failed");
            _batch.Reset();
        }
    }

    private async ValueTask PublishBatchAsync(CancellationToken cancellationToken)
    {
        if (_batch.Count == 0)
        {
            return;
        }

        await _publishChannel.BasicPublishAsync(_batch.Destination!, _batch.Route!, mandatory: false, _batch.Body, cancellationToken);
        _context.Metrics.Published(_batch.Count);
        _batch.Reset();
    }
}
