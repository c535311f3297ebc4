using System.Buffers;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>
/// Packs consecutive outgoing messages for one destination (exchange and routing key) into one envelope, up to a
/// size and a count; a message for another destination starts the next batch, so publish order is kept.
/// Owned by the publisher loop.
/// </summary>
internal sealed class BatchBuilder(byte[] header, int maxBytes, int maxMessages)
{
    /// <summary>The envelope being built; replaced after an oversized message so that one large message is not kept alive.</summary>
    private ArrayBufferWriter<byte> _body = new(maxBytes + 1024);

    public string? Exchange { get; private set; }

    public string? RoutingKey { get; private set; }

    /// <summary>Messages in the envelope.</summary>
    public int Count { get; private set; }

    public ReadOnlyMemory<byte> Body => _body.WrittenMemory;

    /// <summary>Appends (copying its payload) <paramref name="message"/>; false when it belongs in the next batch.</summary>
    public bool TryAdd(OutgoingMessage message)
    {
        if (Count == 0)
        {
            header.CopyTo(_body.GetSpan(header.Length));
            _body.Advance(header.Length);
            Exchange = message.Exchange;
            RoutingKey = message.RoutingKey;
        }
        else if (Count >= maxMessages
            || !string.Equals(Exchange, message.Exchange, StringComparison.Ordinal)
            || !string.Equals(RoutingKey, message.RoutingKey, StringComparison.Ordinal)
            || _body.WrittenCount + Envelope.RecordSize(message.Topic, message.Codec, message.Length) > maxBytes)
        {
            return false;
        }

        Envelope.WriteRecord(_body, message.Topic, message.Codec, message.Payload);
        Count++;
        return true;
    }

    public void Reset()
    {
        if (_body.Capacity > 4 * (maxBytes + 1024))
        {
            _body = new ArrayBufferWriter<byte>(maxBytes + 1024);
        }
        else
        {
            _body.ResetWrittenCount();
        }

        Count = 0;
        Exchange = RoutingKey = null;
    }
}
