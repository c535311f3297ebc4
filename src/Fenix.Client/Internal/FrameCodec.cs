using System.Text;
using System.Text.Json;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;

namespace Fenix.Client.Internal;

/// <summary>
/// The client side of the V2 serializer: client messages become JSON arrays or kind-0 binary pushes (5-byte header);
/// server frames are JSON arrays or binary push (4-byte header), reply (5-byte header) and broadcast (3-byte header).
/// </summary>
internal static class FrameCodec
{
    private const int MaxMetadataBytes = byte.MaxValue;

    public static EncodedFrame Encode(Message message) => message.Payload.IsBinary
        ? new EncodedFrame(V2BinaryCodec.EncodeClientPush(message), true)
        : V2JsonSerializer.EncodeWholePush(message);

    /// <summary>Throws when a binary push could not be encoded (each metadata field is limited to 255 UTF-8 bytes).</summary>
    public static void EnsureEncodable(string topic, string @event, Payload payload)
    {
        if (!payload.IsBinary)
        {
            return;
        }

        foreach (var (name, value) in (ReadOnlySpan<(string, string)>)[("topic", topic), ("event", @event)])
        {
            var length = Encoding.UTF8.GetByteCount(value);
            if (length > MaxMetadataBytes)
            {
                throw new ArgumentException(
                    $"A binary push cannot carry a {name} of {length} bytes: each metadata field must be at most 255 UTF-8 bytes.");
            }
        }
    }

    /// <summary>Decodes one server frame; throws <see cref="MessageDecodeException"/> when malformed.</summary>
    public static InboundFrame Decode(ReadOnlySpan<byte> frame, bool isBinary)
    {
        if (isBinary)
        {
            return DecodeBinary(frame);
        }

        var message = V2JsonSerializer.Instance.Decode(frame, isBinary: false);
        return new InboundFrame(message, message.Event == PhoenixEvents.Reply ? ParseReply(message.Payload) : null);
    }

    /// <summary>Reads <c>{"status": S, "response": R}</c>; null when the payload has no string status.</summary>
    public static PushReply? ParseReply(Payload payload)
    {
        var bytes = payload.Bytes;
        var reader = new Utf8JsonReader(bytes.Span);
        string? status = null;
        var response = Payload.Empty;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    status = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("response"u8))
                {
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    response = Payload.FromUtf8Json(bytes[start..(int)reader.BytesConsumed]);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return status is null ? null : new PushReply(status, response);
    }

    private static InboundFrame DecodeBinary(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty)
        {
            throw new MessageDecodeException("empty binary frame");
        }

        return frame[0] switch
        {
            V2BinaryCodec.PushKind => DecodePush(frame),
            V2BinaryCodec.ReplyKind => DecodeReply(frame),
            V2BinaryCodec.BroadcastKind => DecodeBroadcast(frame),
            _ => throw new MessageDecodeException(
                $"unknown binary frame kind {frame[0]}; servers send only push (0), reply (1) and broadcast (2)"),
        };
    }

    /// <summary><c>0 | len(join_ref) | len(topic) | len(event) | join_ref topic event payload</c> (no ref).</summary>
    private static InboundFrame DecodePush(ReadOnlySpan<byte> frame)
    {
        var rest = Header(frame, 3, out var lengths);
        var joinRef = Read(ref rest, lengths[0]);
        var topic = Read(ref rest, lengths[1]);
        var @event = Read(ref rest, lengths[2]);
        return new InboundFrame(new Message(NullIfEmpty(joinRef), null, topic, @event, Payload.Binary(rest.ToArray())), null);
    }

    /// <summary><c>1 | len(join_ref) | len(ref) | len(topic) | len(status) | join_ref ref topic status response</c>.</summary>
    private static InboundFrame DecodeReply(ReadOnlySpan<byte> frame)
    {
        var rest = Header(frame, 4, out var lengths);
        var joinRef = Read(ref rest, lengths[0]);
        var @ref = Read(ref rest, lengths[1]);
        var topic = Read(ref rest, lengths[2]);
        var status = Read(ref rest, lengths[3]);
        var response = Payload.Binary(rest.ToArray());
        var message = new Message(NullIfEmpty(joinRef), NullIfEmpty(@ref), topic, PhoenixEvents.Reply, response);
        return new InboundFrame(message, new PushReply(status, response));
    }

    /// <summary><c>2 | len(topic) | len(event) | topic event payload</c>.</summary>
    private static InboundFrame DecodeBroadcast(ReadOnlySpan<byte> frame)
    {
        var rest = Header(frame, 2, out var lengths);
        var topic = Read(ref rest, lengths[0]);
        var @event = Read(ref rest, lengths[1]);
        return new InboundFrame(new Message(null, null, topic, @event, Payload.Binary(rest.ToArray())), null);
    }

    /// <summary>Reads the kind byte and <paramref name="count"/> length bytes; returns what follows them.</summary>
    private static ReadOnlySpan<byte> Header(ReadOnlySpan<byte> frame, int count, out int[] lengths)
    {
        if (frame.Length < 1 + count)
        {
            throw new MessageDecodeException($"binary frame shorter than its {1 + count}-byte header");
        }

        lengths = new int[count];
        var total = 1 + count;
        for (var i = 0; i < count; i++)
        {
            lengths[i] = frame[1 + i];
            total += lengths[i];
        }

        if (frame.Length < total)
        {
            throw new MessageDecodeException("binary frame shorter than its declared metadata");
        }

        return frame[(1 + count)..];
    }

    private static string Read(ref ReadOnlySpan<byte> rest, int length)
    {
        var value = Encoding.UTF8.GetString(rest[..length]);
        rest = rest[length..];
        return value;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
