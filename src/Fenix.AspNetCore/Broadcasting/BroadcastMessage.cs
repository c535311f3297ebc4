using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;
using Fenix.PubSub;
using Fenix.PubSub.History;

namespace Fenix.AspNetCore.Broadcasting;

/// <summary>
/// A channel broadcast travelling through PubSub. It caches its encoded frame per serializer, so a broadcast
/// to ten thousand subscribers is encoded once per protocol version and then handed out as shared bytes.
/// A broadcast of a history topic carries its <see cref="Position"/>, which its JSON frames carry in the ref slot.
/// </summary>
internal sealed class BroadcastMessage : IPubSubMessage
{
    public const string CodecName = "fenix.broadcast";

    /// <summary>The codec of broadcasts with a position: the position, then the layout of <see cref="CodecName"/>.</summary>
    public const string PositionedCodecName = "fenix.broadcast.h";

    /// <summary>First cache slot: (serializer, frame), published once; readers see either null or a complete pair.</summary>
    private CachedFrame? _first;

    /// <summary>Second slot, for a node serving both V1 and V2 clients.</summary>
    private CachedFrame? _second;

    public BroadcastMessage(Broadcast broadcast) => Broadcast = broadcast;

    /// <summary>A broadcast of a history topic: with its position (null when the store could not give one), skipping <paramref name="excluded"/> on this node.</summary>
    internal BroadcastMessage(Broadcast broadcast, HistoryPosition? position, ISubscriber? excluded = null)
    {
        Broadcast = broadcast;
        Position = position;
        PositionRef = position?.ToString();
        Excluded = excluded;
    }

    public Broadcast Broadcast { get; }

    /// <summary>The position in the topic's history (history topics only).</summary>
    public HistoryPosition? Position { get; }

    /// <summary>The position's wire form, the ref of its frames.</summary>
    internal string? PositionRef { get; }

    /// <summary>The local subscriber a broadcast_from skips (history topics, where the topic's feed dispatches); never leaves the node.</summary>
    internal ISubscriber? Excluded { get; }

    public string Topic => Broadcast.Topic;

    public string Event => Broadcast.Event;

    string IPubSubMessage.Codec => Position is null ? CodecName : PositionedCodecName;

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

        var frame = PositionRef is not null && !Broadcast.Payload.IsBinary
            ? serializer.EncodePush(new Message(null, PositionRef, Broadcast.Topic, Broadcast.Event, Broadcast.Payload))
            : serializer.EncodeBroadcast(Broadcast); // Phoenix's binary broadcast frame has no ref slot: no position
        var entry = new CachedFrame(serializer, frame);
        if (Interlocked.CompareExchange(ref _first, entry, null) is not null)
        {
            Interlocked.CompareExchange(ref _second, entry, null);
        }

        return frame;
    }

    /// <summary>
    /// Layout: kind (1 byte) | event length (int32) | event UTF-8 | payload bytes; with a position, first epoch length
    /// (1 byte) | epoch (ASCII) | offset (int64). The topic travels beside it.
    /// </summary>
    public void Encode(IBufferWriter<byte> output)
    {
        if (Position is { } position)
        {
            var head = output.GetSpan(1 + position.Epoch.Length + 8);
            head[0] = (byte)position.Epoch.Length;
            Encoding.ASCII.GetBytes(position.Epoch, head[1..]);
            BinaryPrimitives.WriteInt64LittleEndian(head[(1 + position.Epoch.Length)..], position.Offset);
            output.Advance(1 + position.Epoch.Length + 8);
        }

        EncodeBroadcast(output);
    }

    /// <summary>The layout of <see cref="CodecName"/> (what the history store keeps of a message).</summary>
    internal void EncodeBroadcast(IBufferWriter<byte> output)
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

    /// <summary>Decodes the layout of <see cref="PositionedCodecName"/>; throws when the position is malformed.</summary>
    internal static BroadcastMessage DecodePositioned(string topic, ReadOnlyMemory<byte> encoded)
    {
        var bytes = encoded.Span;
        var epochLength = bytes[0];
        var epoch = Encoding.ASCII.GetString(bytes.Slice(1, epochLength));
        var offset = BinaryPrimitives.ReadInt64LittleEndian(bytes[(1 + epochLength)..]);
        if (!HistoryEpoch.IsValid(epoch) || offset < 1)
        {
            throw new FormatException($"A positioned broadcast on {topic} has a malformed position ({epoch}:{offset}).");
        }

        return Decode(topic, encoded[(1 + epochLength + 8)..], new HistoryPosition(epoch, offset));
    }

    /// <summary>Rebuilds a message from <see cref="Encode"/>'s bytes; the payload is a slice of them, not a copy (they are the receiver's to keep).</summary>
    internal static BroadcastMessage Decode(string topic, ReadOnlyMemory<byte> encoded, HistoryPosition? position = null)
    {
        var bytes = encoded.Span;
        var kind = (PayloadKind)bytes[0];
        var eventLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[1..]);
        var @event = Encoding.UTF8.GetString(bytes.Slice(5, eventLength));
        var payloadBytes = encoded[(5 + eventLength)..];
        var payload = kind == PayloadKind.Binary ? Payload.Binary(payloadBytes) : Payload.FromUtf8Json(payloadBytes);
        return new BroadcastMessage(new Broadcast(topic, @event, payload), position);
    }

    private sealed record CachedFrame(IMessageSerializer Serializer, EncodedFrame Frame);
}
