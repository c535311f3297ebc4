using Fenix.Protocol.Serializers;
using Xunit;
using static Fenix.Protocol.Tests.Wire;

namespace Fenix.Protocol.Tests;

/// <summary>Decoding what the server sends (§2.3 server layouts), as clients and test kits do.</summary>
public sealed class V2BinaryServerFrameTests
{
    [Fact]
    public void Decodes_the_server_push_example_with_a_null_ref()
    {
        var message = V2BinaryCodec.DecodeServerFrame(Bytes("""00 02 05 05 "12" "topic" "event" 65 66 67"""), out var status);

        Assert.Null(status);
        Assert.Equal(("12", null, "topic", "event"), (message.JoinRef, message.Ref, message.Topic, message.Event));
        Assert.Equal(Bytes("65 66 67"), message.Payload.Bytes.ToArray());
        Assert.True(message.Payload.IsBinary);
    }

    [Fact]
    public void Decodes_the_reply_example_as_phx_reply_with_its_status()
    {
        var message = V2BinaryCodec.DecodeServerFrame(Bytes("""01 02 03 05 02 "12" "123" "topic" "ok" 65 66 67"""), out var status);

        Assert.Equal("ok", status);
        Assert.Equal(("12", "123", "topic", PhoenixEvents.Reply), (message.JoinRef, message.Ref, message.Topic, message.Event));
        Assert.Equal(Bytes("65 66 67"), message.Payload.Bytes.ToArray());
    }

    [Fact]
    public void Decodes_the_broadcast_example_with_null_refs()
    {
        var message = V2BinaryCodec.DecodeServerFrame(Bytes("""02 05 05 "topic" "event" 65 66 67"""), out var status);

        Assert.Null(status);
        Assert.Equal((null, null, "topic", "event"), (message.JoinRef, message.Ref, message.Topic, message.Event));
        Assert.Equal(Bytes("65 66 67"), message.Payload.Bytes.ToArray());
    }

    [Fact]
    public void Round_trips_every_server_encoding_including_null_refs_and_utf8()
    {
        var payload = Payload.Binary(Bytes("00 FF 10"));

        var push = V2BinaryCodec.DecodeServerFrame(V2BinaryCodec.EncodePush(new Message(null, null, "räum", "ëvent", payload)), out _);
        var reply = V2BinaryCodec.DecodeServerFrame(V2BinaryCodec.EncodeReply(new Reply(null, "9", "t", "error", payload)), out var status);
        var broadcast = V2BinaryCodec.DecodeServerFrame(V2BinaryCodec.EncodeBroadcast(new Broadcast("t", "e", payload)), out _);

        Assert.Equal((null, null, "räum", "ëvent"), (push.JoinRef, push.Ref, push.Topic, push.Event));
        Assert.Equal((null, "9", "error"), (reply.JoinRef, reply.Ref, status));
        Assert.Equal(("t", "e"), (broadcast.Topic, broadcast.Event));
        Assert.All([push, reply, broadcast], m => Assert.Equal(payload.Bytes.ToArray(), m.Payload.Bytes.ToArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("03 01 01")]
    [InlineData("FF")]
    [InlineData("00 02 05")] // push header is 4 bytes
    [InlineData("01 02 03 05")] // reply header is 5 bytes
    [InlineData("02 05")]
    [InlineData("""00 02 05 05 "12" "topic" "even" """)]
    [InlineData("""01 02 03 05 02 "12" "123" "topic" "o" """)]
    [InlineData("""02 05 05 "topic" """)]
    public void Unknown_kinds_and_truncated_frames_are_rejected(string hex)
    {
        Assert.Throws<MessageDecodeException>(() => V2BinaryCodec.DecodeServerFrame(Bytes(hex), out _));
    }

    [Fact]
    public void Decoded_payload_does_not_alias_the_frame_buffer()
    {
        var frame = Bytes("""02 01 01 "t" "e" 01 02""");

        var message = V2BinaryCodec.DecodeServerFrame(frame, out _);
        Array.Fill(frame, (byte)0);

        Assert.Equal(Bytes("01 02"), message.Payload.Bytes.ToArray());
    }
}
