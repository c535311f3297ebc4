using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fenix.Client;

/// <summary>
/// Presences by key, as in a <c>presence_state</c> payload: each value is the presence object
/// <c>{"metas": [{..., "phx_ref": "..."}, ...], ...extras}</c>. Keys enumerate in JavaScript property order
/// (integer-like keys ascending first, then the others in insertion order), so callbacks and lists come in the same
/// order as in phoenix.js. The presence objects are live: treat them as read-only.
/// </summary>
public sealed class PresenceState : IReadOnlyDictionary<string, JsonObject>
{
    private readonly OrderedDictionary<string, JsonObject> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The keys in JavaScript property order.</summary>
    public IEnumerable<string> Keys => OrderedKeys();

    public IEnumerable<JsonObject> Values => OrderedKeys().Select(key => _entries[key]);

    public JsonObject this[string key]
    {
        get => _entries[key];
        internal set => _entries[key] = value;
    }

    /// <summary>Parses a <c>presence_state</c> payload (or the <c>joins</c>/<c>leaves</c> of a diff).</summary>
    public static PresenceState Parse(Payload payload) =>
        payload.IsBinary ? throw new ArgumentException("Presence payloads are JSON, not binary.", nameof(payload)) : Parse(payload.Json);

    /// <summary>Parses JSON text such as <c>{"alice":{"metas":[{"phx_ref":"1"}]}}</c>.</summary>
    public static PresenceState Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Parse(document.RootElement);
    }

    public static PresenceState Parse(JsonElement element)
    {
        var state = new PresenceState();
        if (element.ValueKind != JsonValueKind.Object)
        {
            return state;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (JsonNode.Parse(property.Value.GetRawText()) is JsonObject presence)
            {
                // A presence without a metas list is read as having none (phoenix.js would fail on it).
                if (presence["metas"] is not JsonArray)
                {
                    presence["metas"] = new JsonArray();
                }

                state._entries[property.Name] = presence;
            }
        }

        return state;
    }

    /// <summary>A deep copy.</summary>
    public PresenceState Clone()
    {
        var copy = new PresenceState();
        foreach (var (key, presence) in _entries)
        {
            copy._entries[key] = (JsonObject)presence.DeepClone();
        }

        return copy;
    }

    /// <summary>The metas of a presence object (empty when it has none).</summary>
    public static JsonArray MetasOf(JsonObject presence) => presence["metas"] as JsonArray ?? [];

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out JsonObject value) => _entries.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, JsonObject>> GetEnumerator()
    {
        foreach (var key in OrderedKeys())
        {
            yield return new KeyValuePair<string, JsonObject>(key, _entries[key]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The state as JSON, e.g. for logging or comparing.</summary>
    public override string ToString()
    {
        var json = new JsonObject();
        foreach (var (key, presence) in this)
        {
            json[key] = presence.DeepClone();
        }

        return json.ToJsonString();
    }

    internal bool Remove(string key) => _entries.Remove(key);

    /// <summary>JavaScript's own-property order: array-index keys in ascending numeric order, then the rest as inserted.</summary>
    private List<string> OrderedKeys()
    {
        var indexes = new List<(uint Index, string Key)>();
        var others = new List<string>();
        foreach (var key in _entries.Keys)
        {
            if (IsArrayIndex(key, out var index))
            {
                indexes.Add((index, key));
            }
            else
            {
                others.Add(key);
            }
        }

        if (indexes.Count == 0)
        {
            return others;
        }

        indexes.Sort((a, b) => a.Index.CompareTo(b.Index));
        return [.. indexes.Select(i => i.Key), .. others];
    }

    private static bool IsArrayIndex(string key, out uint index)
    {
        index = 0;
        if (key.Length is 0 or > 10 || (key.Length > 1 && key[0] == '0'))
        {
            return false;
        }

        ulong value = 0;
        foreach (var c in key)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
        }

        if (value >= uint.MaxValue)
        {
            return false;
        }

        index = (uint)value;
        return true;
    }
}
