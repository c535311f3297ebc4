using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fenix.Protocol.Serializers;
using Xunit;

namespace Fenix.Protocol.Tests;

/// <summary>
/// A push of a large payload is a composite frame (a per-recipient head and tail around the payload's own bytes, so a
/// <c>presence_state</c> shared by a crowd is not copied per recipient). Its bytes must be exactly the single-block
/// encoding phoenix.js has always received: checked against frames written independently here, on seeded random
/// messages (refs null or not, topics and events that need escaping, payload sizes on both sides of the threshold).
/// </summary>
public sealed class CompositePushFrameTests
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly string[] Words = ["room", "lobby", "quote\"d", "back\\slash", "tab\t", "<tag>&", "é", "日本", "😀", "\u2028", "ctl\u0001"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_V2_push_is_byte_for_byte_the_single_block_array(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 200; i++)
        {
            var message = RandomMessage(random);

            var frame = V2JsonSerializer.Instance.EncodePush(message);

            Assert.Equal(ExpectedV2(message), frame.Data.ToArray());
            Assert.Equal(ExpectedV2(message), V2JsonSerializer.EncodeWholePush(message).Data.ToArray());
            AssertSharesPayload(frame, message.Payload);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_V1_push_is_byte_for_byte_the_single_block_object(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 200; i++)
        {
            var message = RandomMessage(random);

            var frame = V1JsonSerializer.Instance.EncodePush(message);

            Assert.Equal(ExpectedV1(message), frame.Data.ToArray());
            AssertSharesPayload(frame, message.Payload);
        }
    }

    [Fact]
    public void Broadcasts_replies_and_binary_pushes_stay_single_blocks()
    {
        var big = Payload.ParseUtf8Json(Encoding.UTF8.GetBytes($$"""{"k":"{{new string('x', 10_000)}}"}"""));

        Assert.Null(V2JsonSerializer.Instance.EncodeBroadcast(new Broadcast("t", "e", big)).Rest);
        Assert.Null(V2JsonSerializer.Instance.EncodeReply(new Reply("1", "1", "t", "ok", big)).Rest);
        Assert.Null(V2JsonSerializer.Instance.EncodePush(new Message("1", null, "t", "e", Payload.Binary(new byte[10_000]))).Rest);
        Assert.Null(V1JsonSerializer.Instance.EncodeBroadcast(new Broadcast("t", "e", big)).Rest);
    }

    [Fact]
    public void A_composite_frame_copies_into_one_array_in_order()
    {
        var payload = Payload.ParseUtf8Json(Encoding.UTF8.GetBytes($$"""{"k":"{{new string('y', 5_000)}}"}"""));
        var frame = V2JsonSerializer.Instance.EncodePush(new Message("7", null, "room:lobby", "presence_state", payload));

        Assert.Equal("""["7",null,"room:lobby","presence_state",""", Encoding.UTF8.GetString(frame.Head.Span));
        Assert.Equal("]", Encoding.UTF8.GetString(frame.Rest!.Tail.Span));
        Assert.Equal(frame.Head.Length + payload.Bytes.Length + 1, frame.Length);
        Assert.Equal(frame.Data.ToArray(), frame.ToArray());
    }

    /// <summary>Large payloads are referenced, not copied: the frame's middle part is the payload's own memory.</summary>
    private static void AssertSharesPayload(EncodedFrame frame, Payload payload)
    {
        if (payload.Bytes.Length < JsonFrameWriter.SharedPayloadThreshold)
        {
            Assert.Null(frame.Rest);
            return;
        }

        Assert.NotNull(frame.Rest);
        Assert.True(MemoryMarshal.TryGetArray(frame.Rest.Shared, out var shared));
        Assert.True(MemoryMarshal.TryGetArray(payload.Bytes, out var own));
        Assert.Same(own.Array, shared.Array);
        Assert.Equal(frame.Length, frame.Head.Length + frame.Rest.Length);
    }

    private static Message RandomMessage(Random random)
    {
        string? Ref() => random.Next(3) == 0 ? null : random.Next(1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string Name() => string.Join(':', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Words[random.Next(Words.Length)]));

        // Sizes around the threshold and far above it; the payload is one JSON object with escaped text inside.
        var size = random.Next(4) switch
        {
            0 => random.Next(10, 200),
            1 => JsonFrameWriter.SharedPayloadThreshold + random.Next(-64, 64),
            _ => random.Next(4_000, 60_000),
        };
        var body = new StringBuilder("{\"k\":\"");
        while (body.Length < size)
        {
            body.Append(random.Next(5) == 0 ? "\\\"" : "ab");
        }

        body.Append("\"}");
        return new Message(Ref(), Ref(), Name(), Name(), Payload.ParseUtf8Json(Encoding.UTF8.GetBytes(body.ToString())));
    }

    private static byte[] ExpectedV2(Message message) => Written(writer =>
    {
        writer.WriteStartArray();
        WriteNullable(writer, message.JoinRef);
        WriteNullable(writer, message.Ref);
        writer.WriteStringValue(message.Topic);
        writer.WriteStringValue(message.Event);
        writer.WriteRawValue(message.Payload.Bytes.Span, skipInputValidation: true);
        writer.WriteEndArray();
    });

    private static byte[] ExpectedV1(Message message) => Written(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("topic", message.Topic);
        writer.WriteString("event", message.Event);
        writer.WritePropertyName("payload");
        writer.WriteRawValue(message.Payload.Bytes.Span, skipInputValidation: true);
        writer.WritePropertyName("ref");
        WriteNullable(writer, message.Ref);
        writer.WriteEndObject();
    });

    private static void WriteNullable(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    private static byte[] Written(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Relaxed))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
