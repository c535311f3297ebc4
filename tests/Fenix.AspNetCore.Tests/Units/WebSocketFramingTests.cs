using System.Buffers;
using System.Buffers.Binary;
using Fenix.AspNetCore.Transports.WebSockets;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>Server frame headers and client payload unmasking (RFC 6455 §5.2, §5.3).</summary>
public sealed class WebSocketFramingTests
{
    private const uint MaskKey = 0x3D21FA37; // wire bytes 37 FA 21 3D

    /// <summary>The RFC's definition: byte i is XOR-ed with mask byte (offset + i) mod 4.</summary>
    private static byte[] Reference(byte[] source, uint maskKey, int offset)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(key, maskKey);
        var result = new byte[source.Length];
        for (var i = 0; i < source.Length; i++)
        {
            result[i] = (byte)(source[i] ^ key[(offset + i) & 3]);
        }

        return result;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Unmasks_a_single_segment_from_any_mask_offset(int offset)
    {
        foreach (var length in new[] { 0, 1, 3, 7, 8, 9, 15, 16, 17, 64, 1001 })
        {
            var source = RandomBytes(length, length);
            var destination = new byte[length];

            var next = WebSocketFraming.CopyUnmasked(new ReadOnlySequence<byte>(source), destination, MaskKey, offset);

            Assert.Equal(Reference(source, MaskKey, offset), destination);
            Assert.Equal((offset + length) & 3, next);
        }
    }

    public static TheoryData<int[]> Splits => new(
        [1],
        [3],
        [5, 5],
        [7, 1, 9],
        [8, 8, 8],
        [9, 13, 2, 31],
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [63, 65, 127, 129]);

    [Theory]
    [MemberData(nameof(Splits))]
    public void Unmasks_across_segment_boundaries_at_odd_offsets(int[] sizes)
    {
        var source = RandomBytes(600, sizes.Sum());
        var sequence = Sequences.Split(source, sizes);
        Assert.False(sequence.IsSingleSegment && sizes[0] < source.Length);
        var destination = new byte[source.Length];

        var next = WebSocketFraming.CopyUnmasked(sequence, destination, MaskKey, 0);

        Assert.Equal(Reference(source, MaskKey, 0), destination);
        Assert.Equal(600 & 3, next);
    }

    [Fact]
    public void Consecutive_calls_continue_the_mask_where_the_last_one_stopped()
    {
        var source = RandomBytes(100, 7);
        var destination = new byte[100];

        var offset = 0;
        var position = 0;
        foreach (var size in new[] { 3, 10, 1, 33, 53 })
        {
            offset = WebSocketFraming.CopyUnmasked(
                new ReadOnlySequence<byte>(source, position, size), destination.AsSpan(position), MaskKey, offset);
            position += size;
        }

        Assert.Equal(Reference(source, MaskKey, 0), destination);
    }

    [Fact]
    public void Unmasking_twice_restores_the_original()
    {
        var original = RandomBytes(257, 3);
        var masked = new byte[257];
        var restored = new byte[257];

        WebSocketFraming.CopyUnmasked(Sequences.Split(original, 11, 17), masked, MaskKey, 0);
        WebSocketFraming.CopyUnmasked(Sequences.Split(masked, 5), restored, MaskKey, 0);

        Assert.Equal(original, restored);
        Assert.NotEqual(original, masked);
    }

    [Fact]
    public void A_zero_mask_copies_unchanged()
    {
        var source = RandomBytes(33, 1);
        var destination = new byte[33];

        WebSocketFraming.CopyUnmasked(Sequences.Split(source, 9), destination, 0, 2);

        Assert.Equal(source, destination);
    }

    [Fact]
    public void Writes_only_the_source_length_into_a_larger_destination()
    {
        var destination = Enumerable.Repeat((byte)0xEE, 20).ToArray();

        WebSocketFraming.CopyUnmasked(new ReadOnlySequence<byte>(new byte[10]), destination, MaskKey, 0);

        Assert.All(destination[10..], b => Assert.Equal(0xEE, b));
        Assert.Equal(Reference(new byte[10], MaskKey, 0), destination[..10]);
    }

    [Theory]
    [InlineData(0, new byte[] { 0x81, 0x00 })]
    [InlineData(5, new byte[] { 0x81, 0x05 })]
    [InlineData(125, new byte[] { 0x81, 0x7D })]
    [InlineData(126, new byte[] { 0x81, 0x7E, 0x00, 0x7E })]
    [InlineData(65_535, new byte[] { 0x81, 0x7E, 0xFF, 0xFF })]
    [InlineData(65_536, new byte[] { 0x81, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 })]
    [InlineData(int.MaxValue, new byte[] { 0x81, 0x7F, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF })]
    public void Server_headers_use_the_shortest_length_and_no_mask(int length, byte[] expected)
    {
        var destination = new byte[WebSocketFraming.MaxServerHeaderLength];

        var written = WebSocketFraming.WriteServerHeader(destination, WebSocketOpcode.Text, length);

        Assert.Equal(expected, destination[..written]);
    }

    [Theory]
    [InlineData(0x1, 0x81)] // text
    [InlineData(0x2, 0x82)] // binary
    [InlineData(0x8, 0x88)] // close
    [InlineData(0x9, 0x89)] // ping
    [InlineData(0xA, 0x8A)] // pong
    public void Server_headers_are_final_with_the_opcode(byte opcode, byte first)
    {
        var destination = new byte[WebSocketFraming.MaxServerHeaderLength];

        WebSocketFraming.WriteServerHeader(destination, (WebSocketOpcode)opcode, 2);

        Assert.Equal(first, destination[0]);
        Assert.Equal(0, destination[1] & 0x80); // servers never mask
    }

    [Fact]
    public void Max_server_header_length_covers_the_64_bit_form()
    {
        Assert.Equal(10, WebSocketFraming.MaxServerHeaderLength);
    }

    [Theory]
    [InlineData(121, "é")] // 121 + 2 = 123: fits exactly
    [InlineData(122, "é")] // 124: the é does not fit, and half of it must not be sent
    [InlineData(121, "✓")] // 3-byte code point straddling the limit
    [InlineData(120, "🦊")] // 4-byte code point straddling the limit
    [InlineData(0, "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé")]
    public void Close_reasons_are_cut_to_123_bytes_at_a_code_point_boundary(int asciiPrefix, string tail)
    {
        var reason = new string('x', asciiPrefix) + tail;

        var payload = WebSocketFraming.EncodeClosePayload(1011, reason);

        Assert.Equal(1011, BinaryPrimitives.ReadUInt16BigEndian(payload));
        var text = payload.AsSpan(2);
        Assert.InRange(text.Length, 0, 123);
        Assert.True(System.Text.Unicode.Utf8.IsValid(text), $"invalid UTF-8 in the close reason: {Convert.ToHexString(text)}");
        var sent = System.Text.Encoding.UTF8.GetString(text);
        Assert.StartsWith(sent, reason, StringComparison.Ordinal);
        Assert.True(text.Length > 119, "cut more than the one code point that did not fit");
    }

    [Fact]
    public void Short_close_reasons_are_sent_whole()
    {
        var payload = WebSocketFraming.EncodeClosePayload(1001, "idle timeout");

        Assert.Equal([0x03, 0xE9, .. "idle timeout"u8], payload);
    }
}
