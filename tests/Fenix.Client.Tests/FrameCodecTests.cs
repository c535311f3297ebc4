using System.Text;
using Fenix.Client.Internal;
using Fenix.Protocol;

namespace Fenix.Client.Tests;

/// <summary>The client side of the V2 serializer against the exact layouts of protocol.md §2.2–2.3.</summary>
public sealed class FrameCodecTests
{
    [Fact]
    public void Client_text_frames_are_five_element_arrays()
    {
        var frame = FrameCodec.Encode(new Message("3", "3", "room:lobby", "phx_join", Payload.ParseUtf8Json("""{"user":"ann"}"""u8.ToArray())));
        Assert.False(frame.IsBinary);
        Assert.Equal("""["3","3","room:lobby","phx_join",{"user":"ann"}]""", Encoding.UTF8.GetString(frame.Data.Span));
    }

    [Fact]
    public void Heartbeats_carry_a_null_join_ref()
    {
        var frame = FrameCodec.Encode(new Message(null, "5", "phoenix", "heartbeat", Payload.Empty));
        Assert.Equal("""[null,"5","phoenix","heartbeat",{}]""", Encoding.UTF8.GetString(frame.Data.Span));
    }

    [Fact]
    public void Client_binary_push_uses_the_five_byte_header_layout()
    {
        var frame = FrameCodec.Encode(new Message("12", "123", "topic", "event", Payload.Binary(new byte[] { 65, 66, 67 })));
        Assert.True(frame.IsBinary);
        Assert.Equal("0002030505" + "3132" + "313233" + "746F706963" + "6576656E74" + "414243", Convert.ToHexString(frame.Data.Span));
    }

    [Fact]
    public void Server_binary_push_has_no_ref()
    {
        var frame = Convert.FromHexString("00020505" + "3132" + "746F706963" + "6576656E74" + "414243");
        var decoded = FrameCodec.Decode(frame, isBinary: true);
        Assert.Equal(new Message("12", null, "topic", "event", decoded.Message.Payload), decoded.Message);
        Assert.True(decoded.Message.Payload.IsBinary);
        Assert.Equal("ABC"u8.ToArray(), decoded.Message.Payload.Bytes.ToArray());
        Assert.Null(decoded.Reply);
    }

    [Fact]
    public void Server_binary_reply_carries_status_and_binary_response()
    {
        var frame = Convert.FromHexString("0102030502" + "3132" + "313233" + "746F706963" + "6F6B" + "414243");
        var decoded = FrameCodec.Decode(frame, isBinary: true);
        Assert.Equal("phx_reply", decoded.Message.Event);
        Assert.Equal(("12", "123", "topic"), (decoded.Message.JoinRef, decoded.Message.Ref, decoded.Message.Topic));
        Assert.NotNull(decoded.Reply);
        Assert.Equal("ok", decoded.Reply.Status);
        Assert.Equal("ABC"u8.ToArray(), decoded.Reply.Response.Bytes.ToArray());
    }

    [Fact]
    public void Server_binary_broadcast_has_null_refs()
    {
        var frame = Convert.FromHexString("020505" + "746F706963" + "6576656E74" + "414243");
        var message = FrameCodec.Decode(frame, isBinary: true).Message;
        Assert.Equal((null, null, "topic", "event"), (message.JoinRef, message.Ref, message.Topic, message.Event));
        Assert.Equal("ABC"u8.ToArray(), message.Payload.Bytes.ToArray());
    }

    [Theory]
    [InlineData("03")]
    [InlineData("")]
    [InlineData("0105")]
    [InlineData("00FF0505")]
    public void Malformed_binary_frames_are_rejected(string hex) =>
        Assert.Throws<MessageDecodeException>(() => FrameCodec.Decode(Convert.FromHexString(hex), isBinary: true));

    [Fact]
    public void Text_replies_expose_status_and_the_raw_response()
    {
        var decoded = FrameCodec.Decode("""["3","4","room:lobby","phx_reply",{"response":{"a":[1,2]},"status":"error"}]"""u8, isBinary: false);
        Assert.Equal("error", decoded.Reply!.Status);
        Assert.Equal("""{"a":[1,2]}""", decoded.Reply.Response.ToString());
    }

    [Fact]
    public void A_reply_without_status_is_not_a_reply_to_anything()
    {
        var decoded = FrameCodec.Decode("""["3","4","t","phx_reply",{"response":{}}]"""u8, isBinary: false);
        Assert.Null(decoded.Reply);
    }

    [Fact]
    public void Binary_metadata_over_255_bytes_is_refused_before_sending()
    {
        var longTopic = new string('t', 256);
        Assert.Throws<ArgumentException>(() => FrameCodec.EnsureEncodable(longTopic, "e", Payload.Binary(new byte[1])));
        FrameCodec.EnsureEncodable(longTopic, "e", Payload.Empty); // JSON frames have no such limit
    }
}
