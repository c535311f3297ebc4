using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Fenix.Presence.Tracker;

namespace Fenix.Presence;

/// <summary>
/// The visible presences of one topic at one point of its shard's loop, shared by every read the shard served at that
/// point (in a room where hundreds join at once, hundreds of <c>presence_state</c>s). Built from the elements once:
/// the grouping by key and the JSON encoding (per serializer settings) are computed on first use and reused by all
/// <see cref="PresenceMap"/>s over it, so N joiners cost one encoding instead of N. Immutable once built; thread-safe.
/// </summary>
internal sealed class PresenceSnapshot(string topic, IReadOnlyList<TrackerElement> elements)
{
    /// <summary>key → entry, built once (first use) and never handed out: maps over this snapshot copy an entry before exposing it.</summary>
    private Dictionary<string, PresenceEntry>? _entries;

    /// <summary>The last encoding and the settings it was made with, published whole by reference.</summary>
    private Encoding? _encoded;

    /// <summary>Makes racing first readers wait for one build instead of all building the same thing.</summary>
    private readonly Lock _building = new();

    public string Topic { get; } = topic;

    public IReadOnlyList<TrackerElement> Elements { get; } = elements;

    /// <summary>The presences grouped by key (first-seen order). Read-only by contract: never mutate or expose these entries.</summary>
    public Dictionary<string, PresenceEntry> Entries => Volatile.Read(ref _entries) ?? BuildEntries();

    /// <summary>
    /// The map's JSON (<c>{"key":{"metas":[...]},...}</c>, no indentation), keys escaped with <paramref name="options"/>'
    /// encoder and metas copied as their JSON text; computed once per settings instance.
    /// </summary>
    public ReadOnlyMemory<byte> Encode(JsonSerializerOptions options)
    {
        var encoded = Volatile.Read(ref _encoded);
        if (encoded is not null && ReferenceEquals(encoded.Options, options))
        {
            return encoded.Utf8;
        }

        lock (_building)
        {
            encoded = _encoded;
            if (encoded is not null && ReferenceEquals(encoded.Options, options))
            {
                return encoded.Utf8;
            }

            var buffer = new ArrayBufferWriter<byte>(Math.Max(256, Elements.Count * 96));
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true }))
            {
                writer.WriteStartObject();
                foreach (var (key, entry) in Entries)
                {
                    writer.WritePropertyName(key);
                    writer.WriteStartObject();
                    writer.WritePropertyName("metas"u8);
                    writer.WriteStartArray();
                    foreach (var meta in entry.Metas)
                    {
                        // The meta's own JSON text, copied as is (re-writing it token by token is most of the cost of
                        // a big presence_state); its escaping is that of the node that built it, its value the same.
                        writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(meta), skipInputValidation: true);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            encoded = new Encoding(options, buffer.WrittenMemory.ToArray());
            Volatile.Write(ref _encoded, encoded);
            return encoded.Utf8;
        }
    }

    private Dictionary<string, PresenceEntry> BuildEntries()
    {
        lock (_building)
        {
            return _entries ?? Publish(Group(Elements));
        }

        Dictionary<string, PresenceEntry> Publish(Dictionary<string, PresenceEntry> entries)
        {
            Volatile.Write(ref _entries, entries);
            return entries;
        }
    }

    private static Dictionary<string, PresenceEntry> Group(IReadOnlyList<TrackerElement> elements)
    {
        var entries = new Dictionary<string, PresenceEntry>(StringComparer.Ordinal);
        foreach (var element in elements)
        {
            if (!entries.TryGetValue(element.Key, out var entry))
            {
                entry = new PresenceEntry();
                entries[element.Key] = entry;
            }

            entry.AddMeta(element.Meta);
        }

        return entries;
    }

    private sealed record Encoding(JsonSerializerOptions Options, ReadOnlyMemory<byte> Utf8);
}
