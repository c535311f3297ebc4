using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;
using Fenix.PubSub;

namespace Fenix.AspNetCore.Broadcasting;

/// <summary>
/// A channel broadcast travelling through PubSub. It caches its encoded frame per serializer, so a broadcast
/// to ten thousand subscribers is encoded once per protocol version and then handed out as shared bytes.
/// </summary>
internal sealed class BroadcastMessage : IPubSubMessage
{
    public const string CodecName = "fenix.broadcast";

    /// <summary>First cache slot: (serializer, frame), published once; readers see either null or a complete pair.</summary>
    private CachedFrame? _first;

    /// <summary>Second slot, for a node serving both V1 and V2 clients.</summary>
    private CachedFrame? _second;

    public BroadcastMessage(Broadcast broadcast) => Broadcast = broadcast;

    public Broadcast Broadcast { get; }

    public string Topic => Broadcast.Topic;

    public string Event => Broadcast.Event;

    string IPubSubMessage.Codec => CodecName;

    /// <summary>The frame for <paramref name="serializer"/>, encoded on first use.</summary>
    public EncodedFrame FrameFor(IMessageSerializer serializer)
    {
        var first = Volatile.Read(ref _first);
        if (first is not null && ReferenceEquals(first.Serializer, serializer))
        {
            return first.Frame;
        }

        var second = Volatile.Read(ref _second);
        if (second is not null && ReferenceEquals(second.Serializer, serializer))
        {
            return second.Frame;
        }

        var frame = serializer.EncodeBroadcast(Broadcast);
        var entry = new CachedFrame(serializer, frame);
        if (Interlocked.CompareExchange(ref _first, entry, null) is not null)
        {
            Interlocked.CompareExchange(ref _second, entry, null);
        }

        return frame;
    }

    /// <summary>Layout: kind (1 byte) | event length (int32) | event UTF-8 | payload bytes. The topic travels beside it.</summary>
    public void Encode(IBufferWriter<byte> output)
    {
        var eventLength = Encoding.UTF8.GetByteCount(Event);
        var payload = Broadcast.Payload.Bytes.Span;
        var span = output.GetSpan(5 + eventLength + payload.Length);
        span[0] = (byte)Broadcast.Payload.Kind;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], eventLength);
        Encoding.UTF8.GetBytes(Event, span[5..]);
        payload.CopyTo(span[(5 + eventLength)..]);
        output.Advance(5 + eventLength + payload.Length);
    }

    /// <summary>Rebuilds a message from <see cref="Encode"/>'s bytes; the payload is a slice of them, not a copy (they are the receiver's to keep).</summary>
    internal static BroadcastMessage Decode(string topic, ReadOnlyMemory<byte> encoded)
    {
        var bytes = encoded.Span;
        var kind = (PayloadKind)bytes[0];
        var eventLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[1..]);
        var @event = Encoding.UTF8.GetString(bytes.Slice(5, eventLength));
        var payloadBytes = encoded[(5 + eventLength)..];
        var payload = kind == PayloadKind.Binary ? Payload.Binary(payloadBytes) : Payload.FromUtf8Json(payloadBytes);
        return new BroadcastMessage(new Broadcast(topic, @event, payload));
    }

    private sealed record CachedFrame(IMessageSerializer Serializer, EncodedFrame Frame);
}
