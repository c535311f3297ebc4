using System.Buffers;
using System.Buffers.Binary;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>A parsed client frame header (RFC 6455 §5.2). Client frames are always masked.</summary>
internal readonly record struct WebSocketFrameHeader(bool Fin, WebSocketOpcode Opcode, long PayloadLength, uint MaskKey, int HeaderLength)
{
    public bool IsControl => ((byte)Opcode & 0x8) != 0;

    /// <summary>
    /// Reads a header from the start of <paramref name="buffer"/>. Returns false when more bytes are needed; throws
    /// <see cref="WebSocketProtocolException"/> for anything a server must reject (unmasked, reserved bits or opcodes,
    /// fragmented or oversized control frames, non-minimal or negative lengths).
    /// </summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, out WebSocketFrameHeader header)
    {
        header = default;
        if (buffer.Length < 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[14];
        var available = (int)Math.Min(buffer.Length, 14);
        buffer.Slice(0, available).CopyTo(bytes);

        var fin = (bytes[0] & 0x80) != 0;
        if ((bytes[0] & 0x70) != 0)
        {
            throw new WebSocketProtocolException("reserved bits set without a negotiated extension");
        }

        var opcode = (WebSocketOpcode)(bytes[0] & 0x0F);
        if (opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary
            or WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong))
        {
            throw new WebSocketProtocolException($"reserved opcode 0x{(byte)opcode:X}");
        }

        if ((bytes[1] & 0x80) == 0)
        {
            throw new WebSocketProtocolException("client frames must be masked");
        }

        long length = bytes[1] & 0x7F;
        var headerLength = 2;
        if (length == 126)
        {
            headerLength = 4;
            if (available < headerLength)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
            if (length < 126)
            {
                throw new WebSocketProtocolException("payload length not minimally encoded");
            }
        }
        else if (length == 127)
        {
            headerLength = 10;
            if (available < headerLength)
            {
                return false;
            }

            var wide = BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);
            if (wide > long.MaxValue)
            {
                throw new WebSocketProtocolException("payload length has its most significant bit set");
            }

            length = (long)wide;
            if (length <= ushort.MaxValue)
            {
                throw new WebSocketProtocolException("payload length not minimally encoded");
            }
        }

        if (available < headerLength + 4)
        {
            return false;
        }

        var isControl = ((byte)opcode & 0x8) != 0;
        if (isControl && (!fin || length > 125))
        {
            throw new WebSocketProtocolException("control frames must not be fragmented and carry at most 125 bytes");
        }

        var mask = BinaryPrimitives.ReadUInt32LittleEndian(bytes[headerLength..]);
        header = new WebSocketFrameHeader(fin, opcode, length, mask, headerLength + 4);
        return true;
    }
}

/// <summary>A client broke RFC 6455; the connection is closed with 1002 at once.</summary>
internal sealed class WebSocketProtocolException(string message) : Exception(message);
