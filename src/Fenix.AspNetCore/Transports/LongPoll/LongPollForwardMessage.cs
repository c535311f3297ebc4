using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Fenix.PubSub;

namespace Fenix.AspNetCore.Transports.LongPoll;

/// <summary>What a forwarded long-poll message asks or answers.</summary>
internal enum LongPollForwardKind : byte
{
    /// <summary>Requester → owner: run a GET (poll) on the session.</summary>
    Poll = 1,

    /// <summary>Requester → owner: run a POST (publish) of the body on the session.</summary>
    Publish = 2,

    /// <summary>Requester → owner: the client went away; stop the poll (its frames stay buffered).</summary>
    Cancel = 3,

    /// <summary>Owner → requester: the session exists and the request is under way.</summary>
    Ack = 4,

    /// <summary>Owner → requester: the outcome (a status, and frames for a poll).</summary>
    Result = 5,
}

/// <summary>
/// A long-poll request or answer travelling between nodes (protocol.md §5.2: a session on another node is reached
/// through PubSub). Layout: kind (1 byte) | correlation (16 bytes) | reply node | mount path | session id | content
/// type | body | status (int32) | error | frame count (int32) | frames; strings and byte fields are int32-length-prefixed
/// (length -1 = null).
/// </summary>
internal sealed class LongPollForwardMessage : IPubSubMessage
{
    public const string CodecName = "fenix.longpoll";

    /// <summary>The status of a result whose session does not exist (or no longer does) on the owner.</summary>
    public const int NoSession = 410;

    public required LongPollForwardKind Kind { get; init; }

    /// <summary>Pairs answers with their request; unique per request.</summary>
    public required Guid Correlation { get; init; }

    /// <summary>The node that waits for the answer.</summary>
    public string ReplyNode { get; init; } = "";

    public string MountPath { get; init; } = "";

    public string SessionId { get; init; } = "";

    public string? ContentType { get; init; }

    public byte[] Body { get; init; } = [];

    /// <summary>The logical status of a result: 200/204 for a poll, 200/400/408 for a publish, <see cref="NoSession"/>.</summary>
    public int Status { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<byte[]> Frames { get; init; } = [];

    string IPubSubMessage.Codec => CodecName;

    public void Encode(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = (byte)Kind;
        output.Advance(1);
        Correlation.TryWriteBytes(output.GetSpan(16));
        output.Advance(16);
        WriteString(output, ReplyNode);
        WriteString(output, MountPath);
        WriteString(output, SessionId);
        WriteString(output, ContentType);
        WriteBytes(output, Body);
        WriteInt(output, Status);
        WriteString(output, Error);
        WriteInt(output, Frames.Count);
        foreach (var frame in Frames)
        {
            WriteBytes(output, frame);
        }
    }

    /// <exception cref="FormatException">The bytes are not a forwarded long-poll message.</exception>
    public static LongPollForwardMessage Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 17 || bytes[0] is < (byte)LongPollForwardKind.Poll or > (byte)LongPollForwardKind.Result)
        {
            throw new FormatException("Not a forwarded long-poll message.");
        }

        var kind = (LongPollForwardKind)bytes[0];
        var correlation = new Guid(bytes.Slice(1, 16));
        var rest = bytes[17..];
        var replyNode = ReadString(ref rest) ?? "";
        var mountPath = ReadString(ref rest) ?? "";
        var sessionId = ReadString(ref rest) ?? "";
        var contentType = ReadString(ref rest);
        var body = ReadBytes(ref rest) ?? [];
        var status = ReadInt(ref rest);
        var error = ReadString(ref rest);
        var count = ReadInt(ref rest);
        if (count < 0 || count > rest.Length / 4)
        {
            throw new FormatException("Bad frame count in a forwarded long-poll message.");
        }

        var frames = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            frames[i] = ReadBytes(ref rest) ?? [];
        }

        return new LongPollForwardMessage
        {
            Kind = kind,
            Correlation = correlation,
            ReplyNode = replyNode,
            MountPath = mountPath,
            SessionId = sessionId,
            ContentType = contentType,
            Body = body,
            Status = status,
            Error = error,
            Frames = frames,
        };
    }

    private static void WriteInt(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private static void WriteString(IBufferWriter<byte> output, string? value)
    {
        if (value is null)
        {
            WriteInt(output, -1);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt(output, length);
        Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(length);
    }

    private static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        WriteInt(output, value.Length);
        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
    }

    private static int ReadInt(ref ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4)
        {
            throw new FormatException("A forwarded long-poll message is truncated.");
        }

        var value = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        bytes = bytes[4..];
        return value;
    }

    private static byte[]? ReadBytes(ref ReadOnlySpan<byte> bytes)
    {
        var length = ReadInt(ref bytes);
        if (length < 0)
        {
            return null;
        }

        if (length > bytes.Length)
        {
            throw new FormatException("A forwarded long-poll message is truncated.");
        }

        var value = bytes[..length].ToArray();
        bytes = bytes[length..];
        return value;
    }

    private static string? ReadString(ref ReadOnlySpan<byte> bytes) =>
        ReadBytes(ref bytes) is { } utf8 ? Encoding.UTF8.GetString(utf8) : null;
}

/// <summary>Rebuilds <see cref="LongPollForwardMessage"/>s that arrive from other nodes.</summary>
internal sealed class LongPollForwardMessageDecoder : IPubSubMessageDecoder
{
    public string Codec => LongPollForwardMessage.CodecName;

    public object Decode(string topic, ReadOnlyMemory<byte> bytes) => LongPollForwardMessage.Decode(bytes.Span);
}
