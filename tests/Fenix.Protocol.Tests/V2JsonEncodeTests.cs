using System.Text.Json;
using Fenix.Protocol.Serializers;
using Xunit;
using static Fenix.Protocol.Tests.Wire;

namespace Fenix.Protocol.Tests;

/// <summary>V2 text encoding against the examples of protocol.md §2.2 and the reserved frames of §3.</summary>
public sealed class V2JsonEncodeTests
{
    private static readonly V2JsonSerializer Serializer = V2JsonSerializer.Instance;

    [Fact]
    public void Describes_itself_as_binary_capable()
    {
        Assert.Equal("V2.Json", Serializer.Name);
        Assert.True(Serializer.SupportsBinary);
    }

    [Fact]
    public void Join_reply_echoes_both_refs_as_strings()
    {
        var frame = Serializer.EncodeReply(new Reply("3", "3", "room:lobby", ReplyStatus.Ok, Payload.Empty));

        AssertJson("""["3","3","room:lobby","phx_reply",{"response":{},"status":"ok"}]""", frame.Data);
        Assert.Equal((JsonValueKind.String, JsonValueKind.String), RefKinds(frame));
    }

    [Fact]
    public void Push_carries_the_join_ref_and_a_null_ref()
    {
        var payload = Payload.From(new { status = "connected", user_id = (string?)null });

        var frame = Serializer.EncodePush(new Message("3", null, "room:lobby", "joined", payload));

        AssertJson("""["3",null,"room:lobby","joined",{"status":"connected","user_id":null}]""", frame.Data);
        Assert.Equal((JsonValueKind.String, JsonValueKind.Null), RefKinds(frame));
    }

    [Fact]
    public void Push_with_null_refs_matches_the_upstream_unit_test()
    {
        var frame = Serializer.EncodePush(new Message(null, null, "t", "e", Payload.From(new { m = 1 })));

        Assert.Equal("""[null,null,"t","e",{"m":1}]""", Text(frame));
    }

    [Fact]
    public void Broadcast_has_null_join_ref_and_ref()
    {
        var frame = Serializer.EncodeBroadcast(new Broadcast("room:lobby", "user_entered", Payload.From(new { user = "ann" })));

        AssertJson("""[null,null,"room:lobby","user_entered",{"user":"ann"}]""", frame.Data);
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), RefKinds(frame));
    }

    [Fact]
    public void Channel_reply_to_a_message_keeps_the_channel_join_ref()
    {
        var frame = Serializer.EncodeReply(new Reply("3", "4", "room:lobby", ReplyStatus.Ok, Payload.Empty));

        AssertJson("""["3","4","room:lobby","phx_reply",{"response":{},"status":"ok"}]""", frame.Data);
    }

    [Fact]
    public void Heartbeat_reply_has_a_null_join_ref()
    {
        var frame = Serializer.EncodeReply(new Reply(null, "5", PhoenixEvents.PhoenixTopic, ReplyStatus.Ok, Payload.Empty));

        AssertJson("""[null,"5","phoenix","phx_reply",{"response":{},"status":"ok"}]""", frame.Data);
        Assert.Equal((JsonValueKind.Null, JsonValueKind.String), RefKinds(frame));
    }

    [Fact]
    public void Error_reply_nests_the_response_under_response()
    {
        var reply = new Reply(null, "1", "unmatched-topic", ReplyStatus.Error, Payload.From(new { reason = "unmatched topic" }));

        var frame = Serializer.EncodeReply(reply);

        AssertJson("""[null,"1","unmatched-topic","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]""", frame.Data);
    }

    [Theory]
    [InlineData(PhoenixEvents.Close, "{}")]
    [InlineData(PhoenixEvents.Error, """{"reason":"channel_crash"}""")]
    public void Close_and_error_repeat_the_join_ref_as_ref(string @event, string payload)
    {
        var message = new Message("3", "3", "room:lobby", @event, Payload.ParseUtf8Json(Utf8(payload)));

        var frame = Serializer.EncodePush(message);

        AssertJson($"""["3","3","room:lobby","{@event}",{payload}]""", frame.Data);
    }

    [Fact]
    public void Frames_are_compact_and_copy_the_payload_bytes_verbatim()
    {
        // The payload is raw JSON that the serializer must not reformat (it is encoded once and shared).
        var payload = Payload.FromUtf8Json(Utf8("""{ "b" : 1.50 , "a" : [ 1,2 ] }"""));

        var frame = Serializer.EncodePush(new Message("1", null, "t", "e", payload));

        Assert.Equal("""["1",null,"t","e",{ "b" : 1.50 , "a" : [ 1,2 ] }]""", Text(frame));
    }

    [Fact]
    public void Refs_that_look_numeric_stay_strings()
    {
        var frame = Serializer.EncodeReply(new Reply("007", "12", "t", ReplyStatus.Ok, Payload.Empty));

        Assert.Equal("""["007","12","t","phx_reply",{"status":"ok","response":{}}]""", Text(frame));
    }

    [Fact]
    public void Non_ascii_is_written_as_utf8_and_quotes_are_escaped()
    {
        var frame = Serializer.EncodeBroadcast(new Broadcast("räum:\"1\"", "grüß", Payload.From(new { text = "日本 <b>&'" })));

        var text = Text(frame);
        Assert.Equal("""[null,null,"räum:\"1\"","grüß",{"text":"日本 <b>&'"}]""", text);
        using var document = JsonDocument.Parse(text);
        Assert.Equal("räum:\"1\"", document.RootElement[2].GetString());
    }

    [Fact]
    public void Reply_status_is_written_as_given()
    {
        var frame = Serializer.EncodeReply(new Reply("1", "2", "t", "custom", Payload.Empty));

        AssertJson("""["1","2","t","phx_reply",{"status":"custom","response":{}}]""", frame.Data);
    }

    [Fact]
    public void Each_encode_returns_its_own_bytes()
    {
        // The writer reuses a per-thread buffer; results must never alias it.
        var first = Serializer.EncodeBroadcast(new Broadcast("t", "first", Payload.From(new { n = 1 })));
        var firstText = Text(first);

        _ = Serializer.EncodeBroadcast(new Broadcast("t", "second", Payload.From(new { n = 22222 })));
        _ = Serializer.EncodeReply(new Reply("9", "9", "zzzzzzzzzz", ReplyStatus.Error, Payload.From(new { big = new string('x', 500) })));

        Assert.Equal(firstText, Text(first));
        Assert.Equal("""[null,null,"t","first",{"n":1}]""", firstText);
    }

    [Fact]
    public void Large_frames_and_the_frames_after_them_encode_correctly()
    {
        var big = new string('é', 100_000);

        var large = Serializer.EncodeBroadcast(new Broadcast("t", "big", Payload.From(new { big })));
        var small = Serializer.EncodeBroadcast(new Broadcast("t", "small", Payload.Empty));

        using (var document = JsonDocument.Parse(large.Data))
        {
            Assert.Equal(big, document.RootElement[4].GetProperty("big").GetString());
        }

        Assert.Equal("""[null,null,"t","small",{}]""", Text(small));
    }

    [Fact]
    public void Encoding_from_many_threads_at_once_gives_correct_frames()
    {
        var failures = 0;
        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var frame = Serializer.EncodePush(new Message($"{i}", null, $"topic:{i}", "e", Payload.From(new { i })));
            if (Text(frame) != $$"""["{{i}}",null,"topic:{{i}}","e",{"i":{{i}}}]""")
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Binary_push_uses_the_four_byte_server_push_header()
    {
        var message = new Message("12", "123", "topic", "event", Payload.Binary(Bytes("65 66 67")));

        var frame = Serializer.EncodePush(message);

        Assert.True(frame.IsBinary);
        Assert.Equal(Bytes("""00 02 05 05 "12" "topic" "event" 65 66 67"""), frame.Data.ToArray());
    }

    [Fact]
    public void Binary_reply_uses_the_reply_layout()
    {
        var frame = Serializer.EncodeReply(new Reply("12", "123", "topic", ReplyStatus.Ok, Payload.Binary(Bytes("65 66 67"))));

        Assert.True(frame.IsBinary);
        Assert.Equal(Bytes("""01 02 03 05 02 "12" "123" "topic" "ok" 65 66 67"""), frame.Data.ToArray());
    }

    [Fact]
    public void Binary_broadcast_uses_the_broadcast_layout()
    {
        var frame = Serializer.EncodeBroadcast(new Broadcast("topic", "event", Payload.Binary(Bytes("65 66 67"))));

        Assert.True(frame.IsBinary);
        Assert.Equal(Bytes("""02 05 05 "topic" "event" 65 66 67"""), frame.Data.ToArray());
    }

    [Fact]
    public void Json_payloads_always_give_text_frames()
    {
        Assert.False(Serializer.EncodePush(new Message("1", null, "t", "e", Payload.Empty)).IsBinary);
        Assert.False(Serializer.EncodeReply(new Reply("1", "1", "t", ReplyStatus.Ok, Payload.Empty)).IsBinary);
        Assert.False(Serializer.EncodeBroadcast(new Broadcast("t", "e", Payload.Empty)).IsBinary);
    }
}
