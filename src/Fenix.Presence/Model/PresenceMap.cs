using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fenix.Presence;
using Fenix.Presence.Tracker;

namespace Fenix;

/// <summary>
/// Presences grouped by key: <c>{"&lt;key&gt;": {"metas": [...]}, ...}</c>, the payload of <c>presence_state</c> and the two
/// halves of <c>presence_diff</c> (§7.2). It serializes to exactly that shape with System.Text.Json, whatever the
/// naming policy, so a channel can <c>Push("presence_state", await presence.ListAsync(topic))</c>. Keys are fixed;
/// only the extras of its entries may change (in a fetch hook, before it is handed out).
/// </summary>
[JsonConverter(typeof(PresenceMapJsonConverter))]
public sealed class PresenceMap : IReadOnlyDictionary<string, PresenceEntry>
{
    /// <summary>
    /// This map's own entries; null while it is an untouched view of <see cref="_shared"/>. Set once (by the first
    /// access that could expose an entry), by reference, so racing readers agree on one copy.
    /// </summary>
    private Dictionary<string, PresenceEntry>? _entries;

    /// <summary>The shard snapshot this map was read from, or null for a map built on its own.</summary>
    private readonly PresenceSnapshot? _shared;

    /// <summary>Creates an empty map.</summary>
    internal PresenceMap() => _entries = new Dictionary<string, PresenceEntry>(StringComparer.Ordinal);

    /// <summary>A view of a shared snapshot: keys and JSON come from it until an entry is first handed out, then copied.</summary>
    internal PresenceMap(PresenceSnapshot shared) => _shared = shared;

    /// <summary>The number of keys.</summary>
    public int Count => (Volatile.Read(ref _entries) ?? _shared!.Entries).Count;

    /// <summary>The keys, in first-seen order.</summary>
    public IEnumerable<string> Keys => (Volatile.Read(ref _entries) ?? _shared!.Entries).Keys;

    public IEnumerable<PresenceEntry> Values => Own.Values;

    public PresenceEntry this[string key] => Own[key];

    /// <summary>The entries this map may hand out (a private copy of a shared snapshot's, made on first use).</summary>
    private Dictionary<string, PresenceEntry> Own => Volatile.Read(ref _entries) ?? CopyShared();

    /// <summary>Groups tracker elements by key, keeping their order.</summary>
    internal static PresenceMap From(IEnumerable<TrackerElement> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        var map = new PresenceMap();
        foreach (var element in elements)
        {
            map.Add(element.Key, element.Meta);
        }

        return map;
    }

    /// <summary>Adds a meta under <paramref name="key"/> (used while building a map).</summary>
    internal void Add(string key, JsonElement meta)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entries = Own;
        if (!entries.TryGetValue(key, out var entry))
        {
            entry = new PresenceEntry();
            entries[key] = entry;
        }

        entry.AddMeta(meta);
    }

    /// <summary>Adds a whole entry (used when reading a map back from JSON).</summary>
    internal void Add(string key, PresenceEntry entry) => Own[key] = entry;

    /// <summary>
    /// The JSON of this map when it is still an untouched view of a shared snapshot (nobody could have added extras),
    /// encoded once for all readers of that snapshot; otherwise null.
    /// </summary>
    internal ReadOnlyMemory<byte>? SharedJson(JsonSerializerOptions options) =>
        Volatile.Read(ref _entries) is null && _shared is not null ? _shared.Encode(options) : (ReadOnlyMemory<byte>?)null;

    public bool ContainsKey(string key) => (Volatile.Read(ref _entries) ?? _shared!.Entries).ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out PresenceEntry value) => Own.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, PresenceEntry>> GetEnumerator() => Own.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => JsonSerializer.Serialize(this);

    private Dictionary<string, PresenceEntry> CopyShared()
    {
        var shared = _shared!.Entries;
        var copy = new Dictionary<string, PresenceEntry>(shared.Count, StringComparer.Ordinal);
        foreach (var (key, entry) in shared)
        {
            copy[key] = new PresenceEntry(entry.Metas);
        }

        return Interlocked.CompareExchange(ref _entries, copy, null) ?? copy;
    }
}
