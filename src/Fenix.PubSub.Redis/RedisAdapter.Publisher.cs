using Fenix.PubSub.Broker;
using StackExchange.Redis;

namespace Fenix.PubSub.Redis;

/// <summary>
/// The publisher loop: drains the outgoing queue, packs consecutive messages for the same target into one envelope and
/// pipelines PUBLISH commands on the connection without waiting for each answer, up to a bound of pending ones.
/// </summary>
public sealed partial class RedisAdapter
{
    /// <summary>Messages taken from the queue per round before the loop looks at its pending publishes.</summary>
    private const int MessagesPerRound = 4096;

    /// <summary>Owned by the publisher loop.</summary>
    private readonly BatchBuilder _batch;

    /// <summary>PUBLISH commands sent and not yet answered, oldest first, with their message counts; owned by the publisher loop.</summary>
    private readonly Queue<(Task<long> Sent, int Messages)> _pending = new();

    /// <summary>The envelope header of broadcasts (target: every node); built once, by the publisher loop.</summary>
    private byte[]? _broadcastHeader;

    /// <summary>The connection the supervisor opened; null until then. Set once.</summary>
    private volatile ConnectionMultiplexer? _multiplexer;

    private async Task PublishLoopAsync(CancellationToken stopping)
    {
        try
        {
            while (await _outgoing.WaitToReadAsync(stopping))
            {
                for (var i = 0; i < MessagesPerRound && _outgoing.TryDequeue(out var message); i++)
                {
                    if (!_link.IsUp || message.Epoch != Volatile.Read(ref _epoch))
                    {
                        message.Release(); // queued before the connection was lost: too late to send
                        _drops.Dropped(1, "disconnected");
                        continue;
                    }

                    if (!_batch.TryAdd(message))
                    {
                        await PublishBatchAsync();
                        _batch.TryAdd(message); // an empty batch takes any message
                    }

                    message.Release();
                }

                await PublishBatchAsync();

                // Nothing else to send: settle the pending publishes (their counts) rather than leave them until the next message.
                await CompletePendingAsync(waitForAll: _outgoing.QueuedBytes == 0);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            _drops.Dropped(_batch.Count, "stopped");
            _batch.Reset();
            await CompletePendingAsync(waitForAll: true);
        }
    }

    private async ValueTask PublishBatchAsync()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        var body = _batch.Body.ToArray(); // the client writes it later; the batch buffer is reused at once
        var messages = _batch.Count;
        _batch.Reset();
        try
        {
            _pending.Enqueue((_multiplexer!.GetSubscriber().PublishAsync(_channel, body), messages));
        }
        catch (Exception)
        {
            _drops.Dropped(messages, "publish_failed"); // the connection failed (fail-fast); the supervisor notices too
        }

        if (_pending.Count >= Options.MaxPendingPublishes)
        {
            await CompletePendingAsync(waitForAll: false, atLeastOne: true);
        }
    }

    /// <summary>Accounts for answered publishes (oldest first); waits for the oldest when <paramref name="atLeastOne"/>, for all when <paramref name="waitForAll"/>.</summary>
    private async ValueTask CompletePendingAsync(bool waitForAll, bool atLeastOne = false)
    {
        while (_pending.TryPeek(out var head) && (head.Sent.IsCompleted || waitForAll || atLeastOne))
        {
            _pending.Dequeue();
            atLeastOne = false;
            try
            {
                await head.Sent;
                _metrics.Published(head.Messages);
            }
            catch (Exception)
            {
                _drops.Dropped(head.Messages, "publish_failed");
            }
        }
    }
}
