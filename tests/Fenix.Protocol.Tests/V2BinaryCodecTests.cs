using System.Text;
using Fenix.Protocol.Serializers;
using Xunit;
using static Fenix.Protocol.Tests.Wire;

namespace Fenix.Protocol.Tests;

/// <summary>The binary layouts of protocol.md §2.3, byte for byte.</summary>
public sealed class V2BinaryCodecTests
{
    private static readonly byte[] Efg = Bytes("65 66 67");

    [Fact]
    public void Decodes_the_client_push_example()
    {
        var frame = Bytes("00 02 03 05 05 31 32 31 32 33 74 6F 70 69 63 65 76 65 6E 74 65 66 67");

        var message = V2BinaryCodec.DecodePush(frame);

        Assert.Equal("12", message.JoinRef);
        Assert.Equal("123", message.Ref);
        Assert.Equal("topic", message.Topic);
        Assert.Equal("event", message.Event);
        Assert.Equal(PayloadKind.Binary, message.Payload.Kind);
        Assert.Equal(Efg, message.Payload.Bytes.ToArray());
    }

    [Fact]
    public void Encodes_the_server_push_example_without_a_ref_length()
    {
        var bytes = V2BinaryCodec.EncodePush(new Message("12", "123", "topic", "event", Payload.Binary(Efg)));

        Assert.Equal(Bytes("""00 02 05 05 "12" "topic" "event" 65 66 67"""), bytes);
    }

    [Fact]
    public void Encodes_the_reply_example_with_the_status_as_fifth_length()
    {
        var bytes = V2BinaryCodec.EncodeReply(new Reply("12", "123", "topic", ReplyStatus.Ok, Payload.Binary(Efg)));

        Assert.Equal(Bytes("""01 02 03 05 02 "12" "123" "topic" "ok" 65 66 67"""), bytes);
    }

    [Fact]
    public void Encodes_the_broadcast_example()
    {
        var bytes = V2BinaryCodec.EncodeBroadcast(new Broadcast("topic", "event", Payload.Binary(Efg)));

        Assert.Equal(Bytes("""02 05 05 "topic" "event" 65 66 67"""), bytes);
    }

    [Fact]
    public void Kind_constants_match_the_wire()
    {
        Assert.Equal(0, V2BinaryCodec.PushKind);
        Assert.Equal(1, V2BinaryCodec.ReplyKind);
        Assert.Equal(2, V2BinaryCodec.BroadcastKind);
    }

    [Fact]
    public void Null_refs_are_encoded_as_empty_strings()
    {
        Assert.Equal(
            Bytes("""01 00 01 05 05 "7" "topic" "error" 01"""),
            V2BinaryCodec.EncodeReply(new Reply(null, "7", "topic", ReplyStatus.Error, Payload.Binary(Bytes("01")))));
        Assert.Equal(
            Bytes("""00 00 01 01 "t" "e" """),
            V2BinaryCodec.EncodePush(new Message(null, null, "t", "e", Payload.Binary(Array.Empty<byte>()))));
    }

    [Fact]
    public void Empty_refs_decode_as_null()
    {
        var message = V2BinaryCodec.DecodePush(Bytes("""00 00 00 01 01 "t" "e" 09"""));

        Assert.Null(message.JoinRef);
        Assert.Null(message.Ref);
        Assert.Equal(("t", "e"), (message.Topic, message.Event));
        Assert.Equal(Bytes("09"), message.Payload.Bytes.ToArray());
    }

    [Fact]
    public void An_empty_payload_is_allowed()
    {
        var message = V2BinaryCodec.DecodePush(Bytes("""00 01 01 01 01 "1" "2" "t" "e" """));

        Assert.True(message.Payload.IsBinary);
        Assert.Equal(0, message.Payload.Bytes.Length);
    }

    [Fact]
    public void Payload_bytes_are_opaque_even_when_they_look_like_json_or_headers()
    {
        byte[] payload = [.. Utf8("""["x"]"""), 0x00, 0x02, 0xFF];
        byte[] frame = [.. Bytes("""00 01 01 01 01 "1" "2" "t" "e" """), .. payload];

        var message = V2BinaryCodec.DecodePush(frame);

        Assert.Equal(payload, message.Payload.Bytes.ToArray());
    }

    [Fact]
    public void Decoded_payload_does_not_alias_the_frame_buffer()
    {
        var frame = Bytes("""00 02 03 05 05 "12" "123" "topic" "event" 65 66 67""");

        var message = V2BinaryCodec.DecodePush(frame);
        Array.Fill(frame, (byte)0);

        Assert.Equal(Efg, message.Payload.Bytes.ToArray());
        Assert.Equal("topic", message.Topic);
    }

    [Fact]
    public void Metadata_is_utf8_both_ways()
    {
        var message = new Message("ü1", "€2", "räum:日本", "grüß", Payload.Binary(Efg));

        var decoded = V2BinaryCodec.DecodePush(V2BinaryCodec.EncodeClientPush(message));

        Assert.Equal((message.JoinRef, message.Ref, message.Topic, message.Event), (decoded.JoinRef, decoded.Ref, decoded.Topic, decoded.Event));
        Assert.Equal(Efg, decoded.Payload.Bytes.ToArray());
    }

    [Fact]
    public void Lengths_count_utf8_bytes_not_characters()
    {
        var bytes = V2BinaryCodec.EncodeBroadcast(new Broadcast("ü", "€", Payload.Binary(Array.Empty<byte>())));

        Assert.Equal(new byte[] { 0x02, 0x02, 0x03, 0xC3, 0xBC, 0xE2, 0x82, 0xAC }, bytes);
    }

    [Fact]
    public void Client_push_encoding_has_the_five_byte_header()
    {
        var bytes = V2BinaryCodec.EncodeClientPush(new Message("12", "123", "topic", "event", Payload.Binary(Efg)));

        Assert.Equal(Bytes("00 02 03 05 05 31 32 31 32 33 74 6F 70 69 63 65 76 65 6E 74 65 66 67"), bytes);
    }

    [Fact]
    public void Metadata_of_exactly_255_bytes_is_accepted()
    {
        var topic = new string('t', 255);
        var euros = string.Concat(Enumerable.Repeat("€", 85)); // 85 × 3 = 255 bytes

        var bytes = V2BinaryCodec.EncodeBroadcast(new Broadcast(topic, euros, Payload.Binary(Efg)));

        Assert.Equal(255, bytes[1]);
        Assert.Equal(255, bytes[2]);
        Assert.Equal(3 + 255 + 255 + 3, bytes.Length);
    }

    public static TheoryData<string> OversizedFields => new()
    {
        "join_ref", "ref", "topic", "event", "status",
    };

    [Theory]
    [MemberData(nameof(OversizedFields))]
    public void Metadata_over_255_bytes_is_rejected_in_every_layout(string field)
    {
        var big = new string('x', 256);
        string Pick(string name, string normal) => name == field ? big : normal;
        var payload = Payload.Binary(Efg);
        var message = new Message(Pick("join_ref", "1"), Pick("ref", "2"), Pick("topic", "t"), Pick("event", "e"), payload);

        if (field != "status")
        {
            Assert.Throws<ArgumentException>(() => V2BinaryCodec.EncodeClientPush(message));
        }

        if (field is "join_ref" or "topic" or "event")
        {
            Assert.Throws<ArgumentException>(() => V2BinaryCodec.EncodePush(message));
        }

        if (field is "join_ref" or "ref" or "topic" or "status")
        {
            var reply = new Reply(Pick("join_ref", "1"), Pick("ref", "2"), Pick("topic", "t"), Pick("status", "ok"), payload);
            Assert.Throws<ArgumentException>(() => V2BinaryCodec.EncodeReply(reply));
        }

        if (field is "topic" or "event")
        {
            Assert.Throws<ArgumentException>(() => V2BinaryCodec.EncodeBroadcast(new Broadcast(message.Topic, message.Event, payload)));
        }
    }

    [Fact]
    public void Multibyte_metadata_over_255_bytes_is_rejected_even_under_255_characters()
    {
        var topic = string.Concat(Enumerable.Repeat("é", 128)); // 128 characters, 256 bytes

        var exception = Assert.Throws<ArgumentException>(
            () => V2BinaryCodec.EncodeBroadcast(new Broadcast(topic, "e", Payload.Binary(Efg))));
        Assert.Contains("255", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_push_kind_is_accepted_from_clients()
    {
        foreach (var kind in new byte[] { 1, 2, 3, 0x7F, 0xFF })
        {
            var frame = Bytes("""00 01 01 01 01 "1" "2" "t" "e" 01""");
            frame[0] = kind;

            Assert.Throws<MessageDecodeException>(() => V2BinaryCodec.DecodePush(frame));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("00 02")]
    [InlineData("00 02 03")]
    [InlineData("00 02 03 05")]
    [InlineData("""00 02 03 05 05 "12" "123" "topic" "even" """)] // one metadata byte short
    [InlineData("""00 02 03 05 05 "12" """)]
    [InlineData("00 FF FF FF FF")]
    [InlineData("00 00 00 00 01")]
    public void Truncated_frames_are_rejected(string hex)
    {
        Assert.Throws<MessageDecodeException>(() => V2BinaryCodec.DecodePush(Bytes(hex)));
    }

    [Fact]
    public void Frame_with_exactly_the_declared_metadata_and_no_payload_is_accepted()
    {
        var message = V2BinaryCodec.DecodePush(Bytes("""00 02 03 05 05 "12" "123" "topic" "event" """));

        Assert.Equal("event", message.Event);
        Assert.Equal(0, message.Payload.Bytes.Length);
    }

    [Fact]
    public void Round_trips_a_large_payload()
    {
        var payload = new byte[70_000];
        new Random(42).NextBytes(payload);

        var decoded = V2BinaryCodec.DecodePush(V2BinaryCodec.EncodeClientPush(new Message("1", "2", "t", "e", Payload.Binary(payload))));

        Assert.Equal(payload, decoded.Payload.Bytes.ToArray());
    }

    [Fact]
    public void Header_lengths_match_the_metadata_written()
    {
        var reply = new Reply("join", "reference", "a:topic", "error", Payload.Binary(Efg));

        var bytes = V2BinaryCodec.EncodeReply(reply);

        Assert.Equal(new byte[] { 1, 4, 9, 7, 5 }, bytes[..5]);
        Assert.Equal("joinreferencea:topicerror", Encoding.UTF8.GetString(bytes, 5, 25));
        Assert.Equal(Efg, bytes[30..]);
    }
}
