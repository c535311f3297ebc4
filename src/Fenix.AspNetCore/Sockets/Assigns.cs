using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Fenix;

/// <summary>
/// Key/value state of a socket or a channel. A channel starts with the socket's assigns from connect and
/// may change its own copy; changes never leak to the socket or to other channels. The copy is made only on
/// the first write, so a million channels that only read their assigns share one dictionary.
/// </summary>
public sealed class Assigns : IEnumerable<KeyValuePair<string, object?>>
{
    private static readonly Dictionary<string, object?> Empty = new(StringComparer.Ordinal);

    /// <summary>Shared with the parent until the first write; then this instance's own dictionary.</summary>
    private Dictionary<string, object?> _values;

    /// <summary>True once <see cref="_values"/> belongs to this instance alone.</summary>
    private bool _owned;

    public Assigns()
    {
        _values = new Dictionary<string, object?>(StringComparer.Ordinal);
        _owned = true;
    }

    public Assigns(IEnumerable<KeyValuePair<string, object?>> values)
    {
        _values = new Dictionary<string, object?>(values, StringComparer.Ordinal);
        _owned = true;
    }

    private Assigns(Dictionary<string, object?> shared)
    {
        _values = shared;
        _owned = false;
    }

    public int Count => _values.Count;

    public IEnumerable<string> Keys => _values.Keys;

    public object? this[string key]
    {
        get => _values.TryGetValue(key, out var value) ? value : null;
        set => Own()[key] = value;
    }

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/> as <typeparamref name="T"/>; throws with a clear message when absent or of another type.</summary>
    public T Get<T>(string key) => _values.TryGetValue(key, out var value) && value is T typed
        ? typed
        : throw new KeyNotFoundException(
            $"Assign '{key}' is {(value is null ? "not set" : $"a {value.GetType().Name}")}, expected {typeof(T).Name}. Set it in ConnectAsync or with Assigns[\"{key}\"] = ....");

    public bool TryGet<T>(string key, [MaybeNullWhen(false)] out T value)
    {
        if (_values.TryGetValue(key, out var raw) && raw is T typed)
        {
            value = typed;
            return true;
        }

        value = default;
        return false;
    }

    public bool Remove(string key) => _values.ContainsKey(key) && Own().Remove(key);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A copy that shares storage with this instance; whichever side writes first copies before writing.</summary>
    internal Assigns Fork()
    {
        _owned = false; // this instance must copy before its next write too: the child shares the dictionary
        return new Assigns(_values.Count == 0 ? Empty : _values);
    }

    private Dictionary<string, object?> Own()
    {
        if (!_owned)
        {
            _values = new Dictionary<string, object?>(_values, StringComparer.Ordinal);
            _owned = true;
        }

        return _values;
    }
}
