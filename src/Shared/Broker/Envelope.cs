using System.Buffers;
using System.Text;

namespace Fenix.PubSub.Broker;

/// <summary>
/// The body of one broker message: a version byte, the sending node (and any fields a broker adds, such as the node a
/// message is for), then one or more records (topic, codec, payload), each field prefixed by its length as a 7-bit
/// varint. Several consecutive messages for the same destination share one broker message; the sender travels once so
/// that a node can skip its own broadcasts.
/// </summary>
internal static class Envelope
{
    public const byte Version = 1;

    /// <summary>The bytes that open every envelope sent by <paramref name="nodeName"/>, followed by <paramref name="extraFields"/>.</summary>
    public static byte[] Header(string nodeName, params ReadOnlySpan<string> extraFields)
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.GetSpan(1)[0] = Version;
        writer.Advance(1);
        WriteString(writer, nodeName);
        foreach (var field in extraFields)
        {
            WriteString(writer, field);
        }

        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The bytes one record adds to an envelope.</summary>
    public static int RecordSize(string topic, string codec, int payloadLength) =>
        FieldSize(Encoding.UTF8.GetByteCount(topic)) + FieldSize(Encoding.UTF8.GetByteCount(codec)) + FieldSize(payloadLength);

    public static void WriteRecord(IBufferWriter<byte> output, string topic, string codec, ReadOnlySpan<byte> payload)
    {
        WriteString(output, topic);
        WriteString(output, codec);
        WriteVarint(output, payload.Length);
        payload.CopyTo(output.GetSpan(payload.Length));
        output.Advance(payload.Length);
    }

    /// <summary>Reads the header; false when the body is not an envelope of this version.</summary>
    public static bool TryReadHeader(ReadOnlyMemory<byte> body, out ReadOnlyMemory<byte> sender, out int recordsStart)
    {
        sender = default;
        recordsStart = 0;
        if (body.IsEmpty || body.Span[0] != Version)
        {
            return false;
        }

        var offset = 1;
        if (!TryReadField(body, ref offset, out sender))
        {
            return false;
        }

        recordsStart = offset;
        return true;
    }

    /// <summary>Reads the record at <paramref name="offset"/> and moves past it; false at the end or on a malformed record.</summary>
    public static bool TryReadRecord(ReadOnlyMemory<byte> body, ref int offset, out ReadOnlyMemory<byte> topic, out ReadOnlyMemory<byte> codec, out ReadOnlyMemory<byte> payload)
    {
        topic = codec = payload = default;
        return offset < body.Length
            && TryReadField(body, ref offset, out topic)
            && TryReadField(body, ref offset, out codec)
            && TryReadField(body, ref offset, out payload);
    }

    private static int FieldSize(int length) => VarintSize(length) + length;

    private static int VarintSize(int value)
    {
        var size = 1;
        for (var v = (uint)value; v >= 0x80; v >>= 7)
        {
            size++;
        }

        return size;
    }

    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarint(output, length);
        Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(length);
    }

    private static void WriteVarint(IBufferWriter<byte> output, int value)
    {
        var span = output.GetSpan(5);
        var i = 0;
        var v = (uint)value;
        for (; v >= 0x80; v >>= 7)
        {
            span[i++] = (byte)(v | 0x80);
        }

        span[i++] = (byte)v;
        output.Advance(i);
    }

    /// <summary>Reads the length-prefixed field at <paramref name="offset"/> and moves past it; false when malformed.</summary>
    public static bool TryReadField(ReadOnlyMemory<byte> body, ref int offset, out ReadOnlyMemory<byte> field)
    {
        field = default;
        var span = body.Span;
        uint length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (offset >= span.Length || shift > 28)
            {
                return false;
            }

            var b = span[offset++];
            length |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        if (length > (uint)(span.Length - offset))
        {
            return false;
        }

        field = body.Slice(offset, (int)length);
        offset += (int)length;
        return true;
    }
}
