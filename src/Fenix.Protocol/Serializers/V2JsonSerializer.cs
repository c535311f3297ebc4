using System.Text.Json;

namespace Fenix.Protocol.Serializers;

/// <summary>
/// The V2 serializer (vsn 2.x), spoken by the JavaScript client: text frames are JSON arrays
/// <c>[join_ref, ref, topic, event, payload]</c>; binary payloads use the binary layouts of <see cref="V2BinaryCodec"/>.
/// </summary>
internal sealed class V2JsonSerializer : IMessageSerializer
{
    public static V2JsonSerializer Instance { get; } = new();

    public string Name => "V2.Json";

    public bool SupportsBinary => true;

    public EncodedFrame EncodePush(Message message) => message.Payload.IsBinary
        ? new(V2BinaryCodec.EncodePush(message), true)
        : message.Payload.Bytes.Length >= JsonFrameWriter.SharedPayloadThreshold
            ? JsonFrameWriter.WriteAroundPayload((message.JoinRef, message.Ref, message.Topic, message.Event, message.Payload), message.Payload, WriteArray)
            : new(EncodeArray(message.JoinRef, message.Ref, message.Topic, message.Event, message.Payload), false);

    /// <summary>A text push in one block whatever its size (a client sends each frame once: nothing to share).</summary>
    public static EncodedFrame EncodeWholePush(Message message) =>
        new(EncodeArray(message.JoinRef, message.Ref, message.Topic, message.Event, message.Payload), false);

    public EncodedFrame EncodeBroadcast(Broadcast broadcast) => broadcast.Payload.IsBinary
        ? new(V2BinaryCodec.EncodeBroadcast(broadcast), true)
        : new(EncodeArray(null, null, broadcast.Topic, broadcast.Event, broadcast.Payload), false);

    public EncodedFrame EncodeReply(Reply reply)
    {
        if (reply.Response.IsBinary)
        {
            return new(V2BinaryCodec.EncodeReply(reply), true);
        }

        var bytes = JsonFrameWriter.Write(reply, static (writer, reply) =>
        {
            writer.WriteStartArray();
            writer.WriteNullableString(reply.JoinRef);
            writer.WriteNullableString(reply.Ref);
            writer.WriteStringValue(reply.Topic);
            writer.WriteStringValue(PhoenixEvents.Reply);
            writer.WriteReplyPayload(reply);
            writer.WriteEndArray();
        });
        return new(bytes, false);
    }

    public Message Decode(ReadOnlySpan<byte> frame, bool isBinary) =>
        isBinary ? V2BinaryCodec.DecodePush(frame) : DecodeArray(frame);

    private static byte[] EncodeArray(string? joinRef, string? @ref, string topic, string @event, Payload payload) =>
        JsonFrameWriter.Write((joinRef, @ref, topic, @event, payload), WriteArray);

    private static void WriteArray(Utf8JsonWriter writer, (string? JoinRef, string? Ref, string Topic, string Event, Payload Payload) m)
    {
        writer.WriteStartArray();
        writer.WriteNullableString(m.JoinRef);
        writer.WriteNullableString(m.Ref);
        writer.WriteStringValue(m.Topic);
        writer.WriteStringValue(m.Event);
        writer.WritePayload(m.Payload);
        writer.WriteEndArray();
    }

    private static Message DecodeArray(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new MessageDecodeException("expected a JSON array [join_ref, ref, topic, event, payload]");
            }

            var joinRef = JsonFields.ReadRef(ref reader, "join_ref");
            var @ref = JsonFields.ReadRef(ref reader, "ref");
            var topic = JsonFields.ReadString(ref reader, "topic");
            var @event = JsonFields.ReadString(ref reader, "event");
            var payload = JsonFields.ReadRawValue(ref reader, frame, "payload");

            // Extra trailing elements are tolerated, but the frame must still be one well-formed array.
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                reader.Skip();
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                throw new MessageDecodeException("trailing data after the message array");
            }

            return new Message(joinRef, @ref, topic, @event, payload);
        }
        catch (JsonException e)
        {
            throw new MessageDecodeException($"invalid JSON: {e.Message}", e);
        }
    }
}
