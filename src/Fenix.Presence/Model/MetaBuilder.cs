using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fenix.Presence;

/// <summary>
/// Turns what an application passes as a meta into the stored JSON object: serializes it, checks that it is an object
/// within the size limit, and sets <c>phx_ref</c> (and <c>phx_ref_prev</c> for an update), replacing any the
/// application copied from an old meta. Bad input fails here, in the caller, before the tracker sees anything.
/// </summary>
internal sealed class MetaBuilder(JsonSerializerOptions options, int maxBytes)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public JsonElement Build(object meta, string phxRef, string? phxRefPrev = null)
    {
        ArgumentNullException.ThrowIfNull(meta, nameof(meta));
        var json = Serialize(meta);
        if (json.Length > maxBytes)
        {
            throw new ArgumentException(
                $"The presence meta is {json.Length} bytes of JSON, over the limit of {maxBytes} (PresenceOptions.MaxMetaBytes). "
                + "Keep metas small (ids, status, timestamps) and load details in a fetch hook.",
                nameof(meta));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The presence meta is not valid JSON: {e.Message}", nameof(meta), e);
        }

        using var owned = document;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException(
                $"A presence meta must serialize to a JSON object (an object or a dictionary), but {meta.GetType().Name} gave a JSON {root.ValueKind}.",
                nameof(meta));
        }

        var output = new ArrayBufferWriter<byte>(json.Length + 64);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("phx_ref"u8) || property.NameEquals("phx_ref_prev"u8))
                {
                    continue;
                }

                property.WriteTo(writer);
            }

            writer.WriteString("phx_ref"u8, phxRef);
            if (phxRefPrev is not null)
            {
                writer.WriteString("phx_ref_prev"u8, phxRefPrev);
            }

            writer.WriteEndObject();
        }

        var reader = new Utf8JsonReader(output.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }

    private byte[] Serialize(object meta)
    {
        try
        {
            return meta is JsonElement element
                ? JsonSerializer.SerializeToUtf8Bytes(element, options)
                : JsonSerializer.SerializeToUtf8Bytes(meta, meta.GetType(), options);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException(
                $"The presence meta ({meta.GetType().Name}) cannot be serialized to JSON: {e.Message} "
                + "Use plain data: an anonymous object, a record or a dictionary of strings, numbers and booleans.",
                nameof(meta),
                e);
        }
    }
}
