using System.Buffers;

namespace Fenix.PubSub.Broker;

/// <summary>
/// Packs consecutive outgoing messages for one destination and route into one envelope, up to a size and a count; a
/// message for another destination starts the next batch, so publish order is kept. Owned by the publisher loop.
/// </summary>
/// <param name="headerFor">The envelope header for a route (the sender, and whatever the broker needs besides).</param>
internal sealed class BatchBuilder(Func<string, byte[]> headerFor, int maxBytes, int maxMessages)
{
    /// <summary>The envelope being built; replaced after an oversized message so that one large message is not kept alive.</summary>
    private ArrayBufferWriter<byte> _body = new(maxBytes + 1024);

    public BatchBuilder(byte[] header, int maxBytes, int maxMessages)
        : this(_ => header, maxBytes, maxMessages)
    {
    }

    public string? Destination { get; private set; }

    public string? Route { get; private set; }

    /// <summary>Messages in the envelope.</summary>
    public int Count { get; private set; }

    public ReadOnlyMemory<byte> Body => _body.WrittenMemory;

    /// <summary>Appends (copying its payload) <paramref name="message"/>; false when it belongs in the next batch.</summary>
    public bool TryAdd(OutgoingMessage message)
    {
        if (Count == 0)
        {
            var header = headerFor(message.Route);
            header.CopyTo(_body.GetSpan(header.Length));
            _body.Advance(header.Length);
            Destination = message.Destination;
            Route = message.Route;
        }
        else if (Count >= maxMessages
            || !string.Equals(Destination, message.Destination, StringComparison.Ordinal)
            || !string.Equals(Route, message.Route, StringComparison.Ordinal)
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
        Destination = Route = null;
    }
}
