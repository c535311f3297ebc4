using System.Buffers;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>
/// One message waiting to be published: where it goes and its encoded payload, held in a pooled buffer that the
/// publisher returns once the bytes were handed to the broker connection (or the message was dropped).
/// </summary>
internal sealed class OutgoingMessage(string exchange, string routingKey, string topic, string codec, byte[] buffer, int length, int epoch = 0)
{
    /// <summary>What a queued message costs besides its payload (the object, the strings' references), for the byte bound.</summary>
    public const int Overhead = 64;

    /// <summary>The broker session this message was queued for (see <see cref="AdapterContext.Epoch"/>).</summary>
    public int Epoch { get; } = epoch;

    public string Exchange { get; } = exchange;

    public string RoutingKey { get; } = routingKey;

    public string Topic { get; } = topic;

    public string Codec { get; } = codec;

    public ReadOnlySpan<byte> Payload => buffer.AsSpan(0, Length);

    public int Length { get; } = length;

    public long Cost => Length + Overhead;

    /// <summary>True when this message may share a broker message with <paramref name="other"/> (same exchange and routing key).</summary>
    public bool SameDestination(OutgoingMessage other) =>
        string.Equals(Exchange, other.Exchange, StringComparison.Ordinal) && string.Equals(RoutingKey, other.RoutingKey, StringComparison.Ordinal);

    /// <summary>Returns the payload buffer to the pool; call once, after the last use of <see cref="Payload"/>.</summary>
    public void Release() => ArrayPool<byte>.Shared.Return(buffer);
}
