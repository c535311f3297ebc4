using System.Text;

namespace Fenix.Protocol.Serializers;

/// <summary>
/// The V2 binary frame layouts: client push (kind 0, 5-byte header), server push (kind 0, 4-byte header),
/// reply (kind 1) and broadcast (kind 2). Every length is one byte, so each metadata string is at most 255 UTF-8 bytes.
/// </summary>
internal static class V2BinaryCodec
{
    public const byte PushKind = 0;
    public const byte ReplyKind = 1;
    public const byte BroadcastKind = 2;

    /// <summary>Decodes a client push: <c>0 | jr | ref | topic | event | join_ref ref topic event payload</c>.</summary>
    public static Message DecodePush(ReadOnlySpan<byte> frame)
    {
        const int headerLength = 5;
        if (frame.Length < headerLength)
        {
            throw new MessageDecodeException("binary frame shorter than its 5-byte header");
        }

        if (frame[0] != PushKind)
        {
            throw new MessageDecodeException($"binary frames from clients must be pushes (kind 0), got kind {frame[0]}");
        }

        int joinRefLength = frame[1], refLength = frame[2], topicLength = frame[3], eventLength = frame[4];
        var metadataEnd = headerLength + joinRefLength + refLength + topicLength + eventLength;
        if (frame.Length < metadataEnd)
        {
            throw new MessageDecodeException("binary frame shorter than its declared metadata");
        }

        var rest = frame[headerLength..];
        var joinRef = ReadUtf8(ref rest, joinRefLength);
        var @ref = ReadUtf8(ref rest, refLength);
        var topic = ReadUtf8(ref rest, topicLength);
        var @event = ReadUtf8(ref rest, eventLength);
        return new Message(NullIfEmpty(joinRef), NullIfEmpty(@ref), topic, @event, Payload.Binary(rest.ToArray()));
    }

    /// <summary>
    /// Decodes a frame the server sent (what clients and tests receive): a push (kind 0, no ref), a reply (kind 1,
    /// returned as event <c>phx_reply</c> with its status in <paramref name="replyStatus"/> and the bytes as payload)
    /// or a broadcast (kind 2).
    /// </summary>
    public static Message DecodeServerFrame(ReadOnlySpan<byte> frame, out string? replyStatus)
    {
        replyStatus = null;
        if (frame.Length < 1)
        {
            throw new MessageDecodeException("empty binary frame");
        }

        var fieldCount = frame[0] switch
        {
            PushKind => 3,
            ReplyKind => 4,
            BroadcastKind => 2,
            _ => throw new MessageDecodeException($"unknown binary frame kind {frame[0]}"),
        };
        if (frame.Length < 1 + fieldCount)
        {
            throw new MessageDecodeException("binary frame shorter than its header");
        }

        var lengths = frame.Slice(1, fieldCount);
        var rest = frame[(1 + fieldCount)..];
        var fields = new string[fieldCount];
        for (var i = 0; i < fieldCount; i++)
        {
            if (rest.Length < lengths[i])
            {
                throw new MessageDecodeException("binary frame shorter than its declared metadata");
            }

            fields[i] = ReadUtf8(ref rest, lengths[i]);
        }

        var payload = Payload.Binary(rest.ToArray());
        switch (frame[0])
        {
            case PushKind:
                return new Message(NullIfEmpty(fields[0]), null, fields[1], fields[2], payload);
            case ReplyKind:
                replyStatus = fields[3];
                return new Message(NullIfEmpty(fields[0]), NullIfEmpty(fields[1]), fields[2], PhoenixEvents.Reply, payload);
            default:
                return new Message(null, null, fields[0], fields[1], payload);
        }
    }

    /// <summary>Encodes a client push (used by clients and tests).</summary>
    public static byte[] EncodeClientPush(Message message) =>
        Encode(PushKind, [message.JoinRef, message.Ref, message.Topic, message.Event], message.Payload);

    public static byte[] EncodePush(Message message) =>
        Encode(PushKind, [message.JoinRef, message.Topic, message.Event], message.Payload);

    public static byte[] EncodeReply(Reply reply) =>
        Encode(ReplyKind, [reply.JoinRef, reply.Ref, reply.Topic, reply.Status], reply.Response);

    public static byte[] EncodeBroadcast(Broadcast broadcast) =>
        Encode(BroadcastKind, [broadcast.Topic, broadcast.Event], broadcast.Payload);

    private static byte[] Encode(byte kind, ReadOnlySpan<string?> fields, Payload payload)
    {
        Span<int> lengths = stackalloc int[fields.Length];
        var total = 1 + fields.Length + payload.Bytes.Length;
        for (var i = 0; i < fields.Length; i++)
        {
            lengths[i] = Encoding.UTF8.GetByteCount(fields[i] ?? "");
            if (lengths[i] > byte.MaxValue)
            {
                throw new ArgumentException(
                    $"binary frame metadata '{fields[i]}' is {lengths[i]} bytes; each field must be at most 255 UTF-8 bytes");
            }

            total += lengths[i];
        }

        var bytes = new byte[total];
        bytes[0] = kind;
        var offset = 1;
        for (var i = 0; i < fields.Length; i++)
        {
            bytes[offset++] = (byte)lengths[i];
        }

        for (var i = 0; i < fields.Length; i++)
        {
            offset += Encoding.UTF8.GetBytes(fields[i] ?? "", bytes.AsSpan(offset));
        }

        payload.Bytes.Span.CopyTo(bytes.AsSpan(offset));
        return bytes;
    }

    private static string ReadUtf8(ref ReadOnlySpan<byte> rest, int length)
    {
        var value = Encoding.UTF8.GetString(rest[..length]);
        rest = rest[length..];
        return value;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
