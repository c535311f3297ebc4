using System.Text.Json;
using System.Text.Json.Serialization;
using Fenix.Presence;

namespace Fenix;

/// <summary>
/// The presence of one key: <c>{"metas": [meta, ...], ...extras}</c>. There is one meta per owner tracking the key
/// (several tabs or devices of one user), each a JSON object carrying its <c>phx_ref</c>. A fetch hook may add
/// extras (e.g. <c>"user"</c>) with <see cref="SetExtra"/>; the metas cannot be changed.
/// </summary>
[JsonConverter(typeof(PresenceEntryJsonConverter))]
public sealed class PresenceEntry
{
    private readonly List<JsonElement> _metas;
    private Dictionary<string, object?>? _extras;

    /// <summary>Creates an entry over the given metas (JSON objects).</summary>
    internal PresenceEntry(IEnumerable<JsonElement> metas)
    {
        ArgumentNullException.ThrowIfNull(metas);
        _metas = [.. metas];
    }

    internal PresenceEntry()
    {
        _metas = new List<JsonElement>(1);
    }

    /// <summary>One meta per owner, in storage order (stable but unspecified).</summary>
    public IReadOnlyList<JsonElement> Metas => _metas;

    /// <summary>Fields added next to <c>metas</c> by a fetch hook.</summary>
    public IReadOnlyDictionary<string, object?> Extras => _extras ?? (IReadOnlyDictionary<string, object?>)EmptyExtras;

    private static Dictionary<string, object?> EmptyExtras { get; } = [];

    /// <summary>Adds or replaces a field next to <c>metas</c>; the value is serialized with the presence JSON options.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is <c>"metas"</c>, which a fetch hook must keep.</exception>
    public void SetExtra(string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == "metas")
        {
            throw new ArgumentException("A fetch hook may add fields next to \"metas\" but must not replace the metas.", nameof(name));
        }

        (_extras ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;
    }

    internal void AddMeta(JsonElement meta) => _metas.Add(meta);

    /// <inheritdoc />
    public override string ToString() => JsonSerializer.Serialize(this);
}
