using Fenix.Protocol.Serializers;
using Xunit;
using static Fenix.Protocol.Tests.Wire;

namespace Fenix.Protocol.Tests;

/// <summary>V2 text decoding (protocol.md §2.2): positional arrays, null refs, lenient tails, strict everything else.</summary>
public sealed class V2JsonDecodeTests
{
    private static Message Decode(string text) => V2JsonSerializer.Instance.Decode(Utf8(text), isBinary: false);

    [Fact]
    public void Decodes_a_join_positionally()
    {
        var message = Decode("""["3","3","room:lobby","phx_join",{"user":"ann"}]""");

        Assert.Equal("3", message.JoinRef);
        Assert.Equal("3", message.Ref);
        Assert.Equal("room:lobby", message.Topic);
        Assert.Equal(PhoenixEvents.Join, message.Event);
        Assert.Equal(PayloadKind.Json, message.Payload.Kind);
        Assert.Equal("""{"user":"ann"}""", Text(message.Payload.Bytes));
    }

    [Fact]
    public void Heartbeat_has_a_null_join_ref()
    {
        var message = Decode("""[null,"5","phoenix","heartbeat",{}]""");

        Assert.Null(message.JoinRef);
        Assert.Equal("5", message.Ref);
        Assert.Equal(PhoenixEvents.PhoenixTopic, message.Topic);
        Assert.Equal(PhoenixEvents.Heartbeat, message.Event);
        Assert.True(message.Payload.IsJsonObject);
    }

    [Fact]
    public void Both_refs_may_be_null()
    {
        var message = Decode("""[null,null,"t","e",{}]""");

        Assert.Null(message.JoinRef);
        Assert.Null(message.Ref);
    }

    [Fact]
    public void Refs_are_kept_as_the_exact_strings_sent()
    {
        var message = Decode("""["007","0012","t","e",{}]""");

        Assert.Equal("007", message.JoinRef);
        Assert.Equal("0012", message.Ref);
    }

    [Fact]
    public void Numeric_refs_from_lenient_clients_are_kept_as_their_text()
    {
        var message = Decode("""[1,27,"t","e",{}]""");

        Assert.Equal("1", message.JoinRef);
        Assert.Equal("27", message.Ref);
    }

    [Theory]
    [InlineData("""["1","2","t","e",{},"extra"]""")]
    [InlineData("""["1","2","t","e",{},null,[1,[2]],{"a":{"b":[]}},3.5,true]""")]
    public void Extra_trailing_elements_are_ignored(string frame)
    {
        var message = Decode(frame);

        Assert.Equal(("1", "2", "t", "e"), (message.JoinRef, message.Ref, message.Topic, message.Event));
        Assert.Equal("{}", Text(message.Payload.Bytes));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{ "a" : [ 1 , 2 ] ,"b":{"c":null} }""")]
    [InlineData("[1, 2,3]")]
    [InlineData("\"text\"")]
    [InlineData("\"esc\\u00e9\\\"\"")]
    [InlineData("1.50")]
    [InlineData("-0")]
    [InlineData("1e3")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    public void Payload_of_any_json_value_is_kept_byte_exact(string payload)
    {
        var message = Decode($"""["1","2","t","e",{payload}]""");

        Assert.Equal(PayloadKind.Json, message.Payload.Kind);
        Assert.Equal(payload, Text(message.Payload.Bytes));
    }

    [Fact]
    public void Payload_is_kept_byte_exact_when_followed_by_extra_elements()
    {
        var message = Decode("""["1","2","t","e", {"a":"]"} ,{"x":1}]""");

        Assert.Equal("""{"a":"]"}""", Text(message.Payload.Bytes));
    }

    [Fact]
    public void Whitespace_around_and_between_elements_is_allowed()
    {
        var message = Decode(" \r\n\t[ \"1\" ,\n\"2\" , \"t\" , \"e\" , { } ] \n");

        Assert.Equal(("1", "2", "t", "e"), (message.JoinRef, message.Ref, message.Topic, message.Event));
        Assert.Equal("{ }", Text(message.Payload.Bytes));
    }

    [Fact]
    public void Escaped_and_non_ascii_strings_are_unescaped()
    {
        var message = Decode("""["1","2","r\u00e4um:\"x\"","gr\u00FC\u00DF",{"t":"日本"}]""");

        Assert.Equal("räum:\"x\"", message.Topic);
        Assert.Equal("grüß", message.Event);
        Assert.Equal("""{"t":"日本"}""", Text(message.Payload.Bytes));
    }

    [Fact]
    public void Raw_utf8_strings_are_decoded()
    {
        var message = Decode("""["1","2","räum:1","grüß",{}]""");

        Assert.Equal("räum:1", message.Topic);
        Assert.Equal("grüß", message.Event);
    }

    [Fact]
    public void Decoded_payload_does_not_alias_the_frame_buffer()
    {
        // Transports decode from pooled buffers that are reused after Decode returns.
        var frame = Utf8("""["1","2","t","e",{"k":"v"}]""");

        var message = V2JsonSerializer.Instance.Decode(frame, isBinary: false);
        Array.Fill(frame, (byte)'#');

        Assert.Equal("""{"k":"v"}""", Text(message.Payload.Bytes));
        Assert.Equal("v", message.Payload.Json.GetProperty("k").GetString());
    }

    [Fact]
    public void Decoded_payload_json_is_readable()
    {
        var message = Decode("""["1","2","t","e",{"body":"hi","n":3}]""");

        Assert.True(message.Payload.TryGetString("body", out var body));
        Assert.Equal("hi", body);
        Assert.Equal(3, message.Payload.Json.GetProperty("n").GetInt32());
    }

    [Fact]
    public void Binary_frames_are_decoded_as_client_pushes()
    {
        var frame = Bytes("""00 02 03 05 05 "12" "123" "topic" "event" 65 66 67""");

        var message = V2JsonSerializer.Instance.Decode(frame, isBinary: true);

        Assert.Equal(("12", "123", "topic", "event"), (message.JoinRef, message.Ref, message.Topic, message.Event));
        Assert.True(message.Payload.IsBinary);
        Assert.Equal(Bytes("65 66 67"), message.Payload.Bytes.ToArray());
    }

    [Theory]
    [InlineData("""{"topic":"t","event":"e","payload":{},"ref":"1"}""")] // V1 object
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("""["1"]""")]
    [InlineData("""["1","2"]""")]
    [InlineData("""["1","2","t"]""")]
    [InlineData("""["1","2","t","e"]""")] // 4 elements: no payload
    [InlineData("""[null,null,1,"e",{}]""")] // non-string topic
    [InlineData("""[null,null,null,"e",{}]""")] // null topic
    [InlineData("""[null,null,["t"],"e",{}]""")]
    [InlineData("""[null,null,"t",2,{}]""")] // non-string event
    [InlineData("""[null,null,"t",null,{}]""")] // null event
    [InlineData("""[null,null,"t",{},{}]""")]
    [InlineData("""[{},null,"t","e",{}]""")] // object join_ref
    [InlineData("""[null,[],"t","e",{}]""")] // array ref
    [InlineData("""[true,null,"t","e",{}]""")] // boolean join_ref
    [InlineData("null")]
    [InlineData("\"[1,2,3,4,5]\"")]
    [InlineData("42")]
    public void Anything_but_a_five_element_array_of_the_right_kinds_is_rejected(string frame)
    {
        Assert.Throws<MessageDecodeException>(() => Decode(frame));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[")]
    [InlineData("""[null,null,"t","e",{]""")]
    [InlineData("""[null,null,"t","e",{}""")] // unterminated array
    [InlineData("""[null,null,"t","e",{},""")]
    [InlineData("""[null,null,"t","e",{},]""")] // trailing comma
    [InlineData("""[null,null,"t","e",{"a":1,}]""")]
    [InlineData("""[null,null,"t","e",{'a':1}]""")]
    [InlineData("""[null,null,"t","e",undefined]""")]
    [InlineData("""[null,null,"t" "e",{}]""")] // missing comma
    [InlineData("""[null,null,"t","e",{}]x""")] // trailing garbage
    [InlineData("""[null,null,"t","e",{}]]""")]
    [InlineData("""[null,null,"t","e",{}] [null,null,"t","e",{}]""")] // two values
    [InlineData("""[null,null,"t","e",{}] // comment""")]
    [InlineData("""[null,null,"t","e",{"a":"unterminated}]""")]
    public void Invalid_json_and_trailing_garbage_are_rejected(string frame)
    {
        var exception = Assert.Throws<MessageDecodeException>(() => Decode(frame));
        Assert.False(string.IsNullOrEmpty(exception.Message));
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_a_decode_error()
    {
        byte[] frame = [.. Utf8("[null,null,\""), 0xFF, 0xFE, .. Utf8("\",\"e\",{}]")];

        Assert.Throws<MessageDecodeException>(() => V2JsonSerializer.Instance.Decode(frame, isBinary: false));
    }

    [Fact]
    public void Decode_exceptions_keep_the_json_error_as_inner_exception()
    {
        var exception = Assert.Throws<MessageDecodeException>(() => Decode("""[null,null,"t","e",{]"""));

        Assert.IsAssignableFrom<System.Text.Json.JsonException>(exception.InnerException);
    }

    [Fact]
    public void Reasonably_nested_payloads_decode()
    {
        var nested = string.Concat(Enumerable.Repeat("""{"a":""", 40)) + "1" + new string('}', 40);

        var message = Decode($"""["1","2","t","e",{nested}]""");

        Assert.Equal(nested, Text(message.Payload.Bytes));
    }

    [Fact]
    public void Encode_then_decode_round_trips_a_push()
    {
        var original = new Message("11", "12", "room:ü", "new_msg", Payload.From(new { body = "héllo" }));
        var frame = V2JsonSerializer.Instance.EncodePush(original);

        var decoded = V2JsonSerializer.Instance.Decode(frame.Data.Span, frame.IsBinary);

        Assert.Equal((original.JoinRef, original.Ref, original.Topic, original.Event), (decoded.JoinRef, decoded.Ref, decoded.Topic, decoded.Event));
        Assert.Equal(Text(original.Payload.Bytes), Text(decoded.Payload.Bytes));
    }
}
