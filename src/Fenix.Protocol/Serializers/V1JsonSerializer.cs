using System.Text.Json;

namespace Fenix.Protocol.Serializers;

/// <summary>
/// The legacy V1 serializer (vsn 1.x): JSON objects <c>{"topic","event","payload","ref"}</c>.
/// join_ref is read when present but never written; binary payloads cannot be carried.
/// </summary>
internal sealed class V1JsonSerializer : IMessageSerializer
{
    public static V1JsonSerializer Instance { get; } = new();

    public string Name => "V1.Json";

    public bool SupportsBinary => false;

    public EncodedFrame EncodePush(Message message) =>
        RequireJson(message.Payload).Bytes.Length >= JsonFrameWriter.SharedPayloadThreshold
            ? JsonFrameWriter.WriteAroundPayload((message.Topic, message.Event, message.Ref, message.Payload), message.Payload, WriteObject)
            : new(EncodeObject(message.Topic, message.Event, message.Ref, message.Payload), false);

    public EncodedFrame EncodeBroadcast(Broadcast broadcast) =>
        new(EncodeObject(broadcast.Topic, broadcast.Event, null, RequireJson(broadcast.Payload)), false);

    public EncodedFrame EncodeReply(Reply reply)
    {
        RequireJson(reply.Response);
        var bytes = JsonFrameWriter.Write(reply, static (writer, reply) =>
        {
            writer.WriteStartObject();
            writer.WriteString("topic"u8, reply.Topic);
            writer.WriteString("event"u8, PhoenixEvents.Reply);
            writer.WritePropertyName("payload"u8);
            writer.WriteReplyPayload(reply);
            writer.WritePropertyName("ref"u8);
            writer.WriteNullableString(reply.Ref);
            writer.WriteEndObject();
        });
        return new(bytes, false);
    }

    public Message Decode(ReadOnlySpan<byte> frame, bool isBinary)
    {
        if (isBinary)
        {
            throw new MessageDecodeException("the V1 serializer does not accept binary frames");
        }

        var reader = new Utf8JsonReader(frame);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new MessageDecodeException("expected a JSON object {topic, event, payload, ref}");
            }

            string? topic = null, @event = null, @ref = null, joinRef = null;
            Payload? payload = null;
            var hasRef = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("topic"u8))
                {
                    topic = JsonFields.ReadString(ref reader, "topic");
                }
                else if (reader.ValueTextEquals("event"u8))
                {
                    @event = JsonFields.ReadString(ref reader, "event");
                }
                else if (reader.ValueTextEquals("payload"u8))
                {
                    payload = JsonFields.ReadRawValue(ref reader, frame, "payload");
                }
                else if (reader.ValueTextEquals("ref"u8))
                {
                    @ref = JsonFields.ReadRef(ref reader, "ref");
                    hasRef = true;
                }
                else if (reader.ValueTextEquals("join_ref"u8))
                {
                    joinRef = JsonFields.ReadRef(ref reader, "join_ref");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                throw new MessageDecodeException("trailing data after the message object");
            }

            if (topic is null || @event is null || payload is null || !hasRef)
            {
                throw new MessageDecodeException("a V1 message needs the keys topic, event, payload and ref");
            }

            return new Message(joinRef, @ref, topic, @event, payload);
        }
        catch (JsonException e)
        {
            throw new MessageDecodeException($"invalid JSON: {e.Message}", e);
        }
    }

    private static Payload RequireJson(Payload payload) => payload.IsBinary
        ? throw new NotSupportedException("The V1 serializer cannot carry binary payloads; binary needs vsn 2.0.0 over WebSocket.")
        : payload;

    private static byte[] EncodeObject(string topic, string @event, string? @ref, Payload payload) =>
        JsonFrameWriter.Write((topic, @event, @ref, payload), WriteObject);

    private static void WriteObject(Utf8JsonWriter writer, (string Topic, string Event, string? Ref, Payload Payload) m)
    {
        writer.WriteStartObject();
        writer.WriteString("topic"u8, m.Topic);
        writer.WriteString("event"u8, m.Event);
        writer.WritePropertyName("payload"u8);
        writer.WritePayload(m.Payload);
        writer.WritePropertyName("ref"u8);
        writer.WriteNullableString(m.Ref);
        writer.WriteEndObject();
    }
}
