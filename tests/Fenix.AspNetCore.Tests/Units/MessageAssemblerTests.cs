using System.Buffers;
using System.Buffers.Binary;
using Fenix.AspNetCore.Transports.WebSockets;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>Joining the frames of a fragmented message, each frame with its own mask.</summary>
public sealed class MessageAssemblerTests
{
    private static byte[] MaskWith(byte[] plain, uint maskKey)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(key, maskKey);
        var masked = new byte[plain.Length];
        for (var i = 0; i < plain.Length; i++)
        {
            masked[i] = (byte)(plain[i] ^ key[i & 3]);
        }

        return masked;
    }

    [Fact]
    public void Starts_idle()
    {
        var assembler = new MessageAssembler();

        Assert.False(assembler.InMessage);
        Assert.Equal(0, assembler.Length);
        Assert.True(assembler.Message.IsEmpty);
    }

    [Fact]
    public void Joins_frames_that_each_restart_the_mask()
    {
        var assembler = new MessageAssembler();
        assembler.Begin(WebSocketOpcode.Text);

        // Odd lengths so a mask offset carried over between frames would corrupt the second and third frames.
        assembler.Append(new ReadOnlySequence<byte>(MaskWith("Hel"u8.ToArray(), 0x11223344)), 0x11223344);
        assembler.Append(new ReadOnlySequence<byte>(MaskWith("lo, w"u8.ToArray(), 0xA1B2C3D4)), 0xA1B2C3D4);
        assembler.Append(new ReadOnlySequence<byte>(MaskWith("orld"u8.ToArray(), 0x0F0F0F0F)), 0x0F0F0F0F);

        Assert.True(assembler.InMessage);
        Assert.Equal(WebSocketOpcode.Text, assembler.Opcode);
        Assert.Equal(12, assembler.Length);
        Assert.Equal("Hello, world"u8.ToArray(), assembler.Message.ToArray());
    }

    [Fact]
    public void Frames_arriving_in_several_segments_are_unmasked_correctly()
    {
        var plain = new byte[1_000];
        new Random(5).NextBytes(plain);
        var assembler = new MessageAssembler();
        assembler.Begin(WebSocketOpcode.Binary);

        assembler.Append(Sequences.Split(MaskWith(plain[..333], 0xDEADBEEF), 1, 7, 100), 0xDEADBEEF);
        assembler.Append(Sequences.Split(MaskWith(plain[333..], 0x01020304), 3, 3, 3, 500), 0x01020304);

        Assert.Equal(WebSocketOpcode.Binary, assembler.Opcode);
        Assert.Equal(plain, assembler.Message.ToArray());
    }

    [Fact]
    public void Growing_the_buffer_keeps_what_was_already_assembled()
    {
        var assembler = new MessageAssembler();
        assembler.Begin(WebSocketOpcode.Binary);
        var expected = new List<byte>();

        for (var i = 0; i < 200; i++)
        {
            var chunk = Enumerable.Range(0, 97 + i).Select(b => (byte)(b + i)).ToArray();
            expected.AddRange(chunk);
            assembler.Append(new ReadOnlySequence<byte>(MaskWith(chunk, (uint)i * 2654435761u)), (uint)i * 2654435761u);
        }

        Assert.Equal(expected.Count, assembler.Length);
        Assert.Equal(expected, assembler.Message.ToArray());
    }

    [Fact]
    public void Empty_frames_add_nothing()
    {
        var assembler = new MessageAssembler();
        assembler.Begin(WebSocketOpcode.Text);

        assembler.Append(ReadOnlySequence<byte>.Empty, 0x12345678);
        assembler.Append(new ReadOnlySequence<byte>(MaskWith("a"u8.ToArray(), 0x12345678)), 0x12345678);
        assembler.Append(ReadOnlySequence<byte>.Empty, 0x12345678);

        Assert.Equal("a"u8.ToArray(), assembler.Message.ToArray());
    }

    [Fact]
    public void Reset_ends_the_message_and_the_next_one_starts_clean()
    {
        var assembler = new MessageAssembler();
        assembler.Begin(WebSocketOpcode.Binary);
        assembler.Append(new ReadOnlySequence<byte>(MaskWith("first message"u8.ToArray(), 7)), 7);

        assembler.Reset();

        Assert.False(assembler.InMessage);
        Assert.Equal(0, assembler.Length);
        Assert.True(assembler.Message.IsEmpty);

        assembler.Begin(WebSocketOpcode.Text);
        assembler.Append(new ReadOnlySequence<byte>(MaskWith("2nd"u8.ToArray(), 9)), 9);
        Assert.Equal(WebSocketOpcode.Text, assembler.Opcode);
        Assert.Equal("2nd"u8.ToArray(), assembler.Message.ToArray());
    }

    [Fact]
    public void Begin_discards_a_previous_unfinished_message()
    {
        var assembler = new MessageAssembler();
        assembler.Begin(WebSocketOpcode.Text);
        assembler.Append(new ReadOnlySequence<byte>(MaskWith("stale"u8.ToArray(), 3)), 3);

        assembler.Begin(WebSocketOpcode.Binary);
        assembler.Append(new ReadOnlySequence<byte>(MaskWith("new"u8.ToArray(), 3)), 3);

        Assert.Equal("new"u8.ToArray(), assembler.Message.ToArray());
    }

    [Fact]
    public void Reset_is_safe_to_repeat()
    {
        var assembler = new MessageAssembler();
        assembler.Reset();
        assembler.Begin(WebSocketOpcode.Text);
        assembler.Append(new ReadOnlySequence<byte>(new byte[10]), 0);
        assembler.Reset();
        assembler.Reset();

        Assert.False(assembler.InMessage);
    }
}
