using System.Text;
using Fenix.PubSub.Broker;
using Fenix.PubSub.RabbitMQ.Diagnostics;
using RabbitMQ.Client;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>
/// Reads this node's queue (one delivery at a time, so per-sender order is kept): skips the node's own broadcasts,
/// skips topics without local subscribers, hands the rest to PubSub, and acknowledges in batches so that the broker
/// never has more than the prefetch count in flight to this node.
/// </summary>
internal sealed class NodeQueueConsumer(IChannel channel, AdapterContext context) : AsyncDefaultBasicConsumer(channel)
{
    /// <summary>Acknowledge (multiple) after this many deliveries: a quarter of the prefetch window.</summary>
    private readonly int _ackEvery = Math.Max(1, context.Options.PrefetchCount / 4);

    /// <summary>Deliveries since the last acknowledgement.</summary>
    private int _unacknowledged;

    /// <summary>The last codec name read and its bytes: most traffic uses one or two codecs, so most records decode none.</summary>
    private byte[] _lastCodecBytes = [];

    private string _lastCodec = "";

    public override async Task HandleBasicDeliverAsync(
        string consumerTag,
        ulong deliveryTag,
        bool redelivered,
        string exchange,
        string routingKey,
        IReadOnlyBasicProperties properties,
        ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        try
        {
            Deliver(body);
        }
        catch (Exception e)
        {
            // PubSub reports decoder and subscriber failures itself; anything else must not stop the acknowledgements.
            context.Log.Malformed(body.Length, e.Message);
        }

        if (++_unacknowledged < _ackEvery)
        {
            return;
        }

        _unacknowledged = 0;
        try
        {
            await Channel.BasicAckAsync(deliveryTag, multiple: true, cancellationToken);
        }
        catch (Exception) when (!Channel.IsOpen)
        {
            // The session is ending; its queue (and these deliveries) go with it.
        }
    }

    /// <summary>Delivers the records of one broker message; the body is copied (once) only when some record is for a local topic.</summary>
    private void Deliver(ReadOnlyMemory<byte> body)
    {
        if (!Envelope.TryReadHeader(body, out var sender, out var offset))
        {
            context.Log.Malformed(body.Length, "unknown envelope version");
            return;
        }

        if (sender.Span.SequenceEqual(context.NodeNameUtf8))
        {
            return; // this node's own broadcast: PubSub already delivered it locally
        }

        ReadOnlyMemory<byte> owned = default;
        var received = 0;
        while (Envelope.TryReadRecord(body, ref offset, out var topicBytes, out var codecBytes, out var payload))
        {
            received++;
            var topic = Encoding.UTF8.GetString(topicBytes.Span);
            if (!context.Bindings.IsActive(topic))
            {
                continue; // a lingering binding, or a direct message for a topic nobody here subscribes to
            }

            if (owned.IsEmpty)
            {
                owned = body.ToArray(); // the broker's buffer is reused after this call; subscribers may keep payloads
            }

            var start = offset - payload.Length;
            context.Inbound.DeliverRemote(topic, Codec(codecBytes.Span), owned.Slice(start, payload.Length));
        }

        if (offset < body.Length)
        {
            context.Log.Malformed(body.Length, $"a record at byte {offset} is truncated");
        }

        context.Metrics.Received(received);
    }

    private string Codec(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.SequenceEqual(_lastCodecBytes))
        {
            _lastCodecBytes = bytes.ToArray();
            _lastCodec = Encoding.UTF8.GetString(bytes);
        }

        return _lastCodec;
    }
}
