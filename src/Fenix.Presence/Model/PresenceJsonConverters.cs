using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fenix.Presence;

/// <summary>Writes and reads <see cref="PresenceEntry"/> as <c>{"metas": [...], ...extras}</c>.</summary>
internal sealed class PresenceEntryJsonConverter : JsonConverter<PresenceEntry>
{
    public override PresenceEntry Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return FromJson(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, PresenceEntry value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("metas"u8);
        writer.WriteStartArray();
        foreach (var meta in value.Metas)
        {
            meta.WriteTo(writer);
        }

        writer.WriteEndArray();
        foreach (var (name, extra) in value.Extras)
        {
            writer.WritePropertyName(name);
            JsonSerializer.Serialize(writer, extra, extra?.GetType() ?? typeof(object), options);
        }

        writer.WriteEndObject();
    }

    internal static PresenceEntry FromJson(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("metas", out var metas) || metas.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"A presence must be an object with a \"metas\" array, got {json.ValueKind}.");
        }

        var entry = new PresenceEntry(metas.EnumerateArray().Select(meta => meta.Clone()));
        foreach (var property in json.EnumerateObject())
        {
            if (property.Name != "metas")
            {
                entry.SetExtra(property.Name, property.Value.Clone());
            }
        }

        return entry;
    }
}

/// <summary>Writes and reads <see cref="PresenceMap"/> as <c>{"&lt;key&gt;": {"metas": [...]}, ...}</c>; keys are never renamed.</summary>
internal sealed class PresenceMapJsonConverter : JsonConverter<PresenceMap>
{
    private static readonly PresenceEntryJsonConverter EntryConverter = new();

    public override PresenceMap Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return FromJson(document.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, PresenceMap value, JsonSerializerOptions options)
    {
        if (!writer.Options.Indented && value.SharedJson(options) is { } json)
        {
            // A presence_state read by many joiners at once: encoded once per snapshot, copied here.
            writer.WriteRawValue(json.Span, skipInputValidation: true);
            return;
        }

        WriteEntries(writer, value, options);
    }

    /// <summary>Writes <c>{"key": entry, ...}</c>.</summary>
    internal static void WriteEntries(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, PresenceEntry>> entries, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, entry) in entries)
        {
            writer.WritePropertyName(key);
            EntryConverter.Write(writer, entry, options);
        }

        writer.WriteEndObject();
    }

    internal static PresenceMap FromJson(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"A presence map must be a JSON object, got {json.ValueKind}.");
        }

        var map = new PresenceMap();
        foreach (var property in json.EnumerateObject())
        {
            map.Add(property.Name, PresenceEntryJsonConverter.FromJson(property.Value));
        }

        return map;
    }
}

/// <summary>Writes and reads <see cref="PresenceDiff"/> as <c>{"joins": {...}, "leaves": {...}}</c> (the topic travels beside it).</summary>
internal sealed class PresenceDiffJsonConverter : JsonConverter<PresenceDiff>
{
    private static readonly PresenceMapJsonConverter MapConverter = new();

    public override PresenceDiff Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var json = document.RootElement;
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"A presence diff must be a JSON object, got {json.ValueKind}.");
        }

        var joins = json.TryGetProperty("joins", out var j) ? PresenceMapJsonConverter.FromJson(j) : new PresenceMap();
        var leaves = json.TryGetProperty("leaves", out var l) ? PresenceMapJsonConverter.FromJson(l) : new PresenceMap();
        return new PresenceDiff("", joins, leaves);
    }

    public override void Write(Utf8JsonWriter writer, PresenceDiff value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("joins"u8);
        MapConverter.Write(writer, value.Joins, options);
        writer.WritePropertyName("leaves"u8);
        MapConverter.Write(writer, value.Leaves, options);
        writer.WriteEndObject();
    }
}
