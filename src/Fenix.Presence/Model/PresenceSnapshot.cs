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
/// <remarks>
/// A room filling at once is read again and again, each time with a few more elements at the end, so a snapshot may be
/// given the topic's previous one as an encoding base: when this one's elements are the base's (the same instances, in
/// the same order) followed by elements of keys the base does not hold, its JSON is the base's with their entries
/// appended, which costs the new entries and one copy instead of re-encoding the whole room. Anything else (a leave, an
/// update, a new meta under a key already listed, other settings) encodes from scratch, with the same result.
/// </remarks>
internal sealed class PresenceSnapshot(string topic, IReadOnlyList<TrackerElement> elements, PresenceSnapshot? encodingBase = null)
{
    /// <summary>key → entry, built once (first use) and never handed out: maps over this snapshot copy an entry before exposing it.</summary>
    private Dictionary<string, PresenceEntry>? _entries;

    /// <summary>The last encoding and the settings it was made with, published whole by reference.</summary>
    private Encoding? _encoded;

    /// <summary>Makes racing first readers wait for one build instead of all building the same thing.</summary>
    private readonly Lock _building = new();

    /// <summary>
    /// The topic's previous snapshot, to extend instead of encoding from scratch; taken (set to null) by the first
    /// encoding, so a snapshot never keeps a chain of older ones alive.
    /// </summary>
    private PresenceSnapshot? _encodingBase = encodingBase;

    public string Topic { get; } = topic;

    public IReadOnlyList<TrackerElement> Elements { get; } = elements;

    /// <summary>
    /// A snapshot of <paramref name="topic"/> taken after <paramref name="previous"/>, extending its encoding when it can.
    /// The base is the previous snapshot once encoded, or else that one's own base (encoded, holding no base): so no
    /// snapshot keeps more than one older one alive.
    /// </summary>
    public static PresenceSnapshot After(PresenceSnapshot? previous, string topic, IReadOnlyList<TrackerElement> elements) =>
        new(topic, elements, previous is null || previous.IsEncoded ? previous : previous.EncodingBase);

    /// <summary>The snapshot this one may extend when encoded (always an encoded one), or null.</summary>
    public PresenceSnapshot? EncodingBase => Volatile.Read(ref _encodingBase);

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

            var encodingBase = Interlocked.Exchange(ref _encodingBase, null);
            encoded = (encodingBase is null ? null : Extend(encodingBase, options)) ?? EncodeAll(options);
            Volatile.Write(ref _encoded, encoded);
            return encoded.Utf8;
        }
    }

    /// <summary>
    /// True once this snapshot has been encoded: only then is it worth handing to the next snapshot as its base (and it
    /// no longer holds a base of its own).
    /// </summary>
    public bool IsEncoded => Volatile.Read(ref _encoded) is not null;

    private Encoding EncodeAll(JsonSerializerOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, Elements.Count * 96));
        using (var writer = NewWriter(buffer, options))
        {
            writer.WriteStartObject();
            foreach (var (key, entry) in Entries)
            {
                WriteEntry(writer, key, entry.Metas);
            }

            writer.WriteEndObject();
        }

        return new Encoding(options, buffer.WrittenMemory.ToArray(), Entries.Keys);
    }

    /// <summary>
    /// The base's encoding with this snapshot's extra elements appended, or null when this snapshot is not the base's
    /// elements followed by new keys (then it is encoded from scratch).
    /// </summary>
    private Encoding? Extend(PresenceSnapshot encodingBase, JsonSerializerOptions options)
    {
        var baseEncoding = Volatile.Read(ref encodingBase._encoded);
        var prefix = encodingBase.Elements;
        if (baseEncoding is null || !ReferenceEquals(baseEncoding.Options, options) || prefix.Count > Elements.Count)
        {
            return null;
        }

        for (var i = 0; i < prefix.Count; i++)
        {
            if (!ReferenceEquals(prefix[i], Elements[i]))
            {
                return null;
            }
        }

        if (prefix.Count == Elements.Count)
        {
            return baseEncoding;
        }

        // The added elements grouped by key in first-seen order, as the whole map groups them; none may extend a key
        // the base already lists (its entry sits inside the base's bytes).
        var added = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        for (var i = prefix.Count; i < Elements.Count; i++)
        {
            var element = Elements[i];
            if (baseEncoding.Keys.Contains(element.Key))
            {
                return null;
            }

            if (!added.TryGetValue(element.Key, out var metas))
            {
                metas = [];
                added[element.Key] = metas;
            }

            metas.Add(element.Meta);
        }

        var tail = new ArrayBufferWriter<byte>(Math.Max(256, added.Count * 96));
        using (var writer = NewWriter(tail, options))
        {
            writer.WriteStartObject();
            foreach (var (key, metas) in added)
            {
                WriteEntry(writer, key, metas);
            }

            writer.WriteEndObject();
        }

        // "{…base…}" + "{…added…}" → "{…base…,…added…}" (an empty base is just "{}").
        var head = baseEncoding.Utf8.Span[..^1];
        var more = tail.WrittenSpan[1..];
        var utf8 = new byte[head.Length + (head.Length > 1 ? 1 : 0) + more.Length];
        head.CopyTo(utf8);
        var at = head.Length;
        if (head.Length > 1)
        {
            utf8[at++] = (byte)',';
        }

        more.CopyTo(utf8.AsSpan(at));
        var keys = new HashSet<string>(baseEncoding.Keys, StringComparer.Ordinal);
        keys.UnionWith(added.Keys);
        return new Encoding(options, utf8, keys);
    }

    private static Utf8JsonWriter NewWriter(IBufferWriter<byte> buffer, JsonSerializerOptions options) =>
        new(buffer, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true });

    private static void WriteEntry(Utf8JsonWriter writer, string key, IReadOnlyList<JsonElement> metas)
    {
        writer.WritePropertyName(key);
        writer.WriteStartObject();
        writer.WritePropertyName("metas"u8);
        writer.WriteStartArray();
        foreach (var meta in metas)
        {
            // The meta's own JSON text, copied as is (re-writing it token by token is most of the cost of a big
            // presence_state); its escaping is that of the node that built it, its value the same.
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(meta), skipInputValidation: true);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
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

    /// <summary>An encoding, the settings it was made with, and the keys it lists (to tell whether a later snapshot only adds keys).</summary>
    /// <remarks><see cref="Keys"/> is read-only by contract (a hash set or a dictionary's keys: O(1) lookups either way).</remarks>
    private sealed record Encoding(JsonSerializerOptions Options, ReadOnlyMemory<byte> Utf8, ICollection<string> Keys);
}
