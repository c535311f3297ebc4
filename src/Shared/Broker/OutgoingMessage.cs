using System.Buffers;

namespace Fenix.PubSub.Broker;

/// <summary>
/// One message waiting to be published: where it goes and its encoded payload, held in a pooled buffer that the
/// publisher returns once the bytes were handed to the broker connection (or the message was dropped).
/// </summary>
/// <param name="destination">Where the broker message goes: a RabbitMQ exchange, a Redis channel.</param>
/// <param name="route">How it is routed there: a RabbitMQ routing key; for Redis, the node it is for ("" for every node).</param>
internal sealed class OutgoingMessage(string destination, string route, string topic, string codec, byte[] buffer, int length, int epoch = 0)
{
    /// <summary>What a queued message costs besides its payload (the object, the strings' references), for the byte bound.</summary>
    public const int Overhead = 64;

    /// <summary>The broker session this message was queued for: a later session drops it rather than send it late.</summary>
    public int Epoch { get; } = epoch;

    public string Destination { get; } = destination;

    public string Route { get; } = route;

    public string Topic { get; } = topic;

    public string Codec { get; } = codec;

    public ReadOnlySpan<byte> Payload => buffer.AsSpan(0, Length);

    public int Length { get; } = length;

    public long Cost => Length + Overhead;

    /// <summary>Returns the payload buffer to the pool; call once, after the last use of <see cref="Payload"/>.</summary>
    public void Release() => ArrayPool<byte>.Shared.Return(buffer);
}
