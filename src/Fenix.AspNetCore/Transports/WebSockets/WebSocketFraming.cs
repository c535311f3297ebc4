using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>Helpers for server frames (unmasked) and for unmasking client payloads.</summary>
internal static class WebSocketFraming
{
    /// <summary>Most bytes a server frame header takes (no mask).</summary>
    public const int MaxServerHeaderLength = 10;

    /// <summary>Writes a final, unmasked frame header for <paramref name="payloadLength"/> bytes; returns its length.</summary>
    public static int WriteServerHeader(Span<byte> destination, WebSocketOpcode opcode, int payloadLength)
    {
        destination[0] = (byte)(0x80 | (byte)opcode);
        if (payloadLength <= 125)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }

        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }

        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    /// <summary>Most bytes of reason a close frame carries (a control frame's payload is at most 125 bytes, 2 of them the code).</summary>
    public const int MaxCloseReasonLength = 123;

    /// <summary>
    /// A close frame's payload: the code, then the reason in UTF-8, cut to <see cref="MaxCloseReasonLength"/> bytes at a
    /// code point boundary (the reason must stay valid UTF-8, or the client fails the connection with 1007).
    /// </summary>
    public static byte[] EncodeClosePayload(int code, string reason)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(reason);
        var length = text.Length;
        if (length > MaxCloseReasonLength)
        {
            length = MaxCloseReasonLength;
            while (length > 0 && (text[length] & 0xC0) == 0x80)
            {
                length--; // text[length] continues a code point that started before the cut: cut before that code point
            }
        }

        var payload = new byte[2 + length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        text.AsSpan(0, length).CopyTo(payload.AsSpan(2));
        return payload;
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> XOR-ing it with the 4-byte mask,
    /// starting at mask offset <paramref name="maskOffset"/>; returns the mask offset after the last byte.</summary>
    public static int CopyUnmasked(in ReadOnlySequence<byte> source, Span<byte> destination, uint maskKey, int maskOffset)
    {
        foreach (var segment in source)
        {
            maskOffset = CopyUnmasked(segment.Span, destination, maskKey, maskOffset);
            destination = destination[segment.Length..];
        }

        return maskOffset;
    }

    private static int CopyUnmasked(ReadOnlySpan<byte> source, Span<byte> destination, uint maskKey, int maskOffset)
    {
        // Rotate the key so that byte 0 of the rotated key applies to source[0].
        var rotated = BitOperations.RotateRight(maskKey, 8 * (maskOffset & 3));
        var wide = ((ulong)rotated << 32) | rotated;
        var i = 0;
        if (source.Length >= 8)
        {
            var sourceWords = MemoryMarshal.Cast<byte, ulong>(source);
            var destinationWords = MemoryMarshal.Cast<byte, ulong>(destination[..source.Length]);
            for (; i < sourceWords.Length; i++)
            {
                destinationWords[i] = sourceWords[i] ^ wide;
            }

            i *= 8;
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (byte)(source[i] ^ (byte)(rotated >> (8 * (i & 3))));
        }

        return (maskOffset + source.Length) & 3;
    }
}
