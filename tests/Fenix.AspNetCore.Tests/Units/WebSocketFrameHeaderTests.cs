using System.Buffers;
using Fenix.AspNetCore.Transports.WebSockets;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>RFC 6455 §5.2 client frame headers.</summary>
public sealed class WebSocketFrameHeaderTests
{
    private static readonly byte[] Mask = [0x37, 0xFA, 0x21, 0x3D];

    /// <summary>A masked client header: first byte, then the length in its shortest (or forced) form, then the mask.</summary>
    private static byte[] Header(byte first, ulong length, int lengthBytes = -1, bool masked = true)
    {
        var bytes = new List<byte> { first };
        var form = lengthBytes >= 0 ? lengthBytes : length <= 125 ? 0 : length <= ushort.MaxValue ? 2 : 8;
        var maskBit = masked ? 0x80 : 0;
        switch (form)
        {
            case 0:
                bytes.Add((byte)(maskBit | (int)length));
                break;
            case 2:
                bytes.Add((byte)(maskBit | 126));
                bytes.Add((byte)(length >> 8));
                bytes.Add((byte)length);
                break;
            default:
                bytes.Add((byte)(maskBit | 127));
                for (var shift = 56; shift >= 0; shift -= 8)
                {
                    bytes.Add((byte)(length >> shift));
                }

                break;
        }

        if (masked)
        {
            bytes.AddRange(Mask);
        }

        return [.. bytes];
    }

    private static WebSocketFrameHeader Read(byte[] bytes)
    {
        Assert.True(WebSocketFrameHeader.TryRead(new ReadOnlySequence<byte>(bytes), out var header));
        return header;
    }

    private static void AssertViolation(byte[] bytes) =>
        Assert.Throws<WebSocketProtocolException>(() => WebSocketFrameHeader.TryRead(new ReadOnlySequence<byte>(bytes), out _));

    [Fact]
    public void Reads_the_rfc_masked_hello_example()
    {
        byte[] frame = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58];

        var header = Read(frame);

        Assert.True(header.Fin);
        Assert.Equal(WebSocketOpcode.Text, header.Opcode);
        Assert.Equal(5, header.PayloadLength);
        Assert.Equal(6, header.HeaderLength);
        Assert.Equal(0x3D21FA37u, header.MaskKey); // the wire's mask bytes, read little-endian
        Assert.False(header.IsControl);

        var payload = new byte[5];
        WebSocketFraming.CopyUnmasked(new ReadOnlySequence<byte>(frame, 6, 5), payload, header.MaskKey, 0);
        Assert.Equal("Hello"u8.ToArray(), payload);
    }

    [Theory]
    [InlineData(0ul, 6)]
    [InlineData(1ul, 6)]
    [InlineData(125ul, 6)]
    [InlineData(126ul, 8)]
    [InlineData(256ul, 8)]
    [InlineData(65_535ul, 8)]
    [InlineData(65_536ul, 14)]
    [InlineData(5_000_000_000ul, 14)]
    [InlineData((ulong)long.MaxValue, 14)]
    public void Reads_7_16_and_64_bit_lengths(ulong length, int headerLength)
    {
        var header = Read(Header(0x82, length));

        Assert.Equal((long)length, header.PayloadLength);
        Assert.Equal(headerLength, header.HeaderLength);
        Assert.Equal(WebSocketOpcode.Binary, header.Opcode);
    }

    [Fact]
    public void Non_final_data_frames_and_continuations_are_fine()
    {
        var first = Read(Header(0x01, 3));
        var continuation = Read(Header(0x00, 3));
        var last = Read(Header(0x80, 3));

        Assert.False(first.Fin);
        Assert.Equal(WebSocketOpcode.Text, first.Opcode);
        Assert.Equal((false, WebSocketOpcode.Continuation), (continuation.Fin, continuation.Opcode));
        Assert.Equal((true, WebSocketOpcode.Continuation), (last.Fin, last.Opcode));
    }

    [Theory]
    [InlineData(0x88)] // close
    [InlineData(0x89)] // ping
    [InlineData(0x8A)] // pong
    public void Control_frames_up_to_125_bytes_are_read(byte first)
    {
        var header = Read(Header(first, 125));

        Assert.Equal((WebSocketOpcode)(first & 0x0F), header.Opcode);
        Assert.True(header.IsControl);
        Assert.Equal(125, header.PayloadLength);
    }

    [Fact]
    public void Bytes_after_the_header_are_not_part_of_it()
    {
        byte[] frame = [.. Header(0x81, 2), 0xAA, 0xBB, 0x81, 0x80];

        var header = Read(frame);

        Assert.Equal(6, header.HeaderLength);
        Assert.Equal(2, header.PayloadLength);
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(300ul)]
    [InlineData(70_000ul)]
    public void Every_incomplete_prefix_of_a_header_asks_for_more(ulong length)
    {
        var header = Header(0x82, length);

        for (var available = 0; available < header.Length; available++)
        {
            Assert.False(
                WebSocketFrameHeader.TryRead(new ReadOnlySequence<byte>(header, 0, available), out _),
                $"{available} of {header.Length} bytes should not be enough");
        }

        Assert.True(WebSocketFrameHeader.TryRead(new ReadOnlySequence<byte>(header), out _));
    }

    [Fact]
    public void Headers_split_across_segments_are_read()
    {
        var bytes = Header(0x82, 70_000);

        var header = WebSocketFrameHeader.TryRead(Sequences.Split(bytes, 1, 1, 3, 2, 1), out var parsed);

        Assert.True(header);
        Assert.Equal((70_000L, 14), (parsed.PayloadLength, parsed.HeaderLength));
        Assert.Equal(0x3D21FA37u, parsed.MaskKey);
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(200ul)]
    [InlineData(100_000ul)]
    public void Unmasked_client_frames_are_violations(ulong length)
    {
        AssertViolation(Header(0x81, length, masked: false));
    }

    [Fact]
    public void An_unmasked_frame_is_refused_as_soon_as_two_bytes_arrived()
    {
        AssertViolation([0x81, 0x7E]);
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x20)]
    [InlineData(0x10)]
    [InlineData(0x70)]
    public void Reserved_bits_are_violations(byte rsv)
    {
        AssertViolation(Header((byte)(0x81 | rsv), 1));
    }

    [Theory]
    [InlineData(0x3)]
    [InlineData(0x4)]
    [InlineData(0x5)]
    [InlineData(0x6)]
    [InlineData(0x7)]
    [InlineData(0xB)]
    [InlineData(0xC)]
    [InlineData(0xD)]
    [InlineData(0xE)]
    [InlineData(0xF)]
    public void Reserved_opcodes_are_violations(byte opcode)
    {
        AssertViolation(Header((byte)(0x80 | opcode), 1));
    }

    [Theory]
    [InlineData(0x08)]
    [InlineData(0x09)]
    [InlineData(0x0A)]
    public void Fragmented_control_frames_are_violations(byte first)
    {
        AssertViolation(Header(first, 0));
    }

    [Theory]
    [InlineData(0x88, 126ul)]
    [InlineData(0x89, 126ul)]
    [InlineData(0x8A, 65_535ul)]
    [InlineData(0x89, 70_000ul)]
    public void Control_frames_over_125_bytes_are_violations(byte first, ulong length)
    {
        AssertViolation(Header(first, length));
    }

    [Fact]
    public void A_64_bit_length_with_its_top_bit_set_is_a_violation()
    {
        AssertViolation(Header(0x82, 0x8000_0000_0000_0000ul, lengthBytes: 8));
        AssertViolation(Header(0x82, ulong.MaxValue, lengthBytes: 8));
    }

    [Fact]
    public void Non_minimal_length_encodings_are_violations()
    {
        AssertViolation(Header(0x82, 5, lengthBytes: 2));
        AssertViolation(Header(0x82, 300, lengthBytes: 8));
    }
}
