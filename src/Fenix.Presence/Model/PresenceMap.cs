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
    private readonly Dictionary<string, PresenceEntry> _entries;

    /// <summary>Creates an empty map.</summary>
    internal PresenceMap() => _entries = new Dictionary<string, PresenceEntry>(StringComparer.Ordinal);

    /// <summary>The number of keys.</summary>
    public int Count => _entries.Count;

    /// <summary>The keys, in first-seen order.</summary>
    public IEnumerable<string> Keys => _entries.Keys;

    public IEnumerable<PresenceEntry> Values => _entries.Values;

    public PresenceEntry this[string key] => _entries[key];

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
        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = new PresenceEntry();
            _entries[key] = entry;
        }

        entry.AddMeta(meta);
    }

    /// <summary>Adds a whole entry (used when reading a map back from JSON).</summary>
    internal void Add(string key, PresenceEntry entry) => _entries[key] = entry;

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out PresenceEntry value) => _entries.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, PresenceEntry>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => JsonSerializer.Serialize(this);
}
