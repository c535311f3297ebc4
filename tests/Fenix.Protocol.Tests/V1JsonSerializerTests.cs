using System.Text.Json;
using Fenix.Protocol.Serializers;
using Xunit;
using static Fenix.Protocol.Tests.Wire;

namespace Fenix.Protocol.Tests;

/// <summary>The legacy object format of protocol.md §2.4.</summary>
public sealed class V1JsonSerializerTests
{
    private static readonly V1JsonSerializer Serializer = V1JsonSerializer.Instance;

    private static Message Decode(string text) => Serializer.Decode(Utf8(text), isBinary: false);

    private static string[] Keys(EncodedFrame frame)
    {
        using var document = JsonDocument.Parse(frame.Data);
        return [.. document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void Describes_itself_as_text_only()
    {
        Assert.Equal("V1.Json", Serializer.Name);
        Assert.False(Serializer.SupportsBinary);
    }

    [Fact]
    public void Decodes_the_four_required_keys_without_join_ref()
    {
        var message = Decode("""{"topic":"room:lobby","event":"phx_join","payload":{"a":1},"ref":"1"}""");

        Assert.Null(message.JoinRef);
        Assert.Equal("1", message.Ref);
        Assert.Equal("room:lobby", message.Topic);
        Assert.Equal(PhoenixEvents.Join, message.Event);
        Assert.Equal("""{"a":1}""", Text(message.Payload.Bytes));
    }

    [Fact]
    public void Reads_an_optional_join_ref()
    {
        Assert.Equal("7", Decode("""{"topic":"t","event":"e","payload":{},"ref":"8","join_ref":"7"}""").JoinRef);
        Assert.Null(Decode("""{"topic":"t","event":"e","payload":{},"ref":"8","join_ref":null}""").JoinRef);
    }

    [Fact]
    public void Ref_may_be_null_but_must_be_present()
    {
        Assert.Null(Decode("""{"topic":"t","event":"e","payload":{},"ref":null}""").Ref);
        Assert.Throws<MessageDecodeException>(() => Decode("""{"topic":"t","event":"e","payload":{}}"""));
    }

    [Fact]
    public void Key_order_is_irrelevant_and_unknown_keys_are_skipped()
    {
        var message = Decode("""
            {"extra":{"topic":"no","nested":[1,{"ref":"no"}]},"ref":"2","payload":[1],"x":null,"event":"e","topic":"t","y":"z"}
            """);

        Assert.Equal(("t", "e", "2"), (message.Topic, message.Event, message.Ref));
        Assert.Equal("[1]", Text(message.Payload.Bytes));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{ "a" : [ 1 , 2 ] }""")]
    [InlineData("\"s\"")]
    [InlineData("12.50")]
    [InlineData("null")]
    [InlineData("[]")]
    public void Payload_of_any_json_value_is_kept_byte_exact(string payload)
    {
        var message = Decode($$"""{"topic":"t","event":"e","payload":{{payload}},"ref":"1"}""");

        Assert.Equal(payload, Text(message.Payload.Bytes));
    }

    [Theory]
    [InlineData("""{"event":"e","payload":{},"ref":"1"}""")] // no topic
    [InlineData("""{"topic":"t","payload":{},"ref":"1"}""")] // no event
    [InlineData("""{"topic":"t","event":"e","ref":"1"}""")] // no payload
    [InlineData("""{"topic":"t","event":"e","payload":{}}""")] // no ref
    [InlineData("""{"topic":null,"event":"e","payload":{},"ref":"1"}""")]
    [InlineData("""{"topic":1,"event":"e","payload":{},"ref":"1"}""")]
    [InlineData("""{"topic":"t","event":["e"],"payload":{},"ref":"1"}""")]
    [InlineData("""{"topic":"t","event":"e","payload":{},"ref":{}}""")]
    [InlineData("""{"topic":"t","event":"e","payload":{},"ref":"1","join_ref":[]}""")]
    [InlineData("""["1","1","t","e",{}]""")] // a V2 array
    [InlineData("null")]
    [InlineData("\"topic\"")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData(""""{"topic":"t","event":"e","payload":{},"ref":"1"""")]
    [InlineData("""{"topic":"t","event":"e","payload":{},"ref":"1",}""")]
    [InlineData("""{"topic":"t","event":"e","payload":{},"ref":"1"}x""")]
    [InlineData("""{"topic":"t","event":"e","payload":{},"ref":"1"}{}""")]
    public void Malformed_messages_are_rejected(string frame)
    {
        Assert.Throws<MessageDecodeException>(() => Decode(frame));
    }

    [Fact]
    public void Binary_frames_are_rejected()
    {
        var frame = Bytes("""00 01 01 01 01 "1" "2" "t" "e" 01""");

        Assert.Throws<MessageDecodeException>(() => Serializer.Decode(frame, isBinary: true));
    }

    [Fact]
    public void Push_has_exactly_topic_event_payload_ref_and_never_join_ref()
    {
        var frame = Serializer.EncodePush(new Message("3", "4", "room:lobby", "joined", Payload.From(new { status = "connected" })));

        Assert.False(frame.IsBinary);
        Assert.Equal(["event", "payload", "ref", "topic"], Keys(frame));
        AssertJson("""{"topic":"room:lobby","event":"joined","payload":{"status":"connected"},"ref":"4"}""", frame.Data);
    }

    [Fact]
    public void Push_with_null_ref_writes_json_null()
    {
        var frame = Serializer.EncodePush(new Message("3", null, "t", "e", Payload.Empty));

        AssertJson("""{"topic":"t","event":"e","payload":{},"ref":null}""", frame.Data);
    }

    [Fact]
    public void Reply_matches_the_spec_example_without_join_ref()
    {
        var frame = Serializer.EncodeReply(new Reply("3", "1", "room:lobby", ReplyStatus.Ok, Payload.Empty));

        Assert.Equal(["event", "payload", "ref", "topic"], Keys(frame));
        AssertJson("""{"topic":"room:lobby","event":"phx_reply","ref":"1","payload":{"status":"ok","response":{}}}""", frame.Data);
    }

    [Fact]
    public void Heartbeat_reply_matches_the_spec()
    {
        var frame = Serializer.EncodeReply(new Reply(null, "9", "phoenix", ReplyStatus.Ok, Payload.Empty));

        AssertJson("""{"topic":"phoenix","event":"phx_reply","ref":"9","payload":{"status":"ok","response":{}}}""", frame.Data);
    }

    [Fact]
    public void Broadcast_has_a_null_ref()
    {
        var frame = Serializer.EncodeBroadcast(new Broadcast("room:lobby", "user_entered", Payload.From(new { user = "ann" })));

        Assert.Equal(["event", "payload", "ref", "topic"], Keys(frame));
        AssertJson("""{"topic":"room:lobby","event":"user_entered","payload":{"user":"ann"},"ref":null}""", frame.Data);
    }

    [Fact]
    public void Payload_bytes_are_written_verbatim()
    {
        var frame = Serializer.EncodeBroadcast(new Broadcast("t", "e", Payload.FromUtf8Json(Utf8("""{ "x" : 1.0 }"""))));

        Assert.Equal("""{"topic":"t","event":"e","payload":{ "x" : 1.0 },"ref":null}""", Text(frame));
    }

    [Fact]
    public void Binary_payloads_cannot_be_encoded()
    {
        var binary = Payload.Binary(new byte[] { 1, 2 });

        Assert.Throws<NotSupportedException>(() => Serializer.EncodePush(new Message("1", null, "t", "e", binary)));
        Assert.Throws<NotSupportedException>(() => Serializer.EncodeBroadcast(new Broadcast("t", "e", binary)));
        Assert.Throws<NotSupportedException>(() => Serializer.EncodeReply(new Reply("1", "1", "t", ReplyStatus.Ok, binary)));
    }

    [Fact]
    public void Encode_then_decode_round_trips_without_join_ref()
    {
        var frame = Serializer.EncodePush(new Message("5", "6", "räum", "e", Payload.From(new { n = "ü" })));

        var decoded = Serializer.Decode(frame.Data.Span, frame.IsBinary);

        Assert.Null(decoded.JoinRef);
        Assert.Equal(("6", "räum", "e"), (decoded.Ref, decoded.Topic, decoded.Event));
        Assert.Equal("""{"n":"ü"}""", Text(decoded.Payload.Bytes));
    }
}
