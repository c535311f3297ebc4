using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Fenix;

/// <summary>
/// Key/value state of a socket or a channel. A channel starts with the socket's assigns from connect and
/// may change its own copy; changes never leak to the socket or to other channels. The copy is made only on
/// the first write, so a million channels that only read their assigns share one store. A socket usually holds one or
/// two assigns for its whole life: up to <see cref="MaxInline"/> are kept in a small array (about 40 bytes for one,
/// against 200 for a dictionary), more in a dictionary.
/// </summary>
public sealed class Assigns : IEnumerable<KeyValuePair<string, object?>>
{
    /// <summary>Above this many entries a dictionary holds them (a linear search over a few keys is cheaper below).</summary>
    private const int MaxInline = 8;

    /// <summary>
    /// The first <see cref="_count"/> entries, distinct keys, while there are at most <see cref="MaxInline"/> and
    /// <see cref="_many"/> is null. Shared with the parent or a child until the first write (see <see cref="_owned"/>).
    /// </summary>
    private KeyValuePair<string, object?>[] _few;

    private int _count;

    /// <summary>Every entry once there were more than <see cref="MaxInline"/>; null before. Shared like <see cref="_few"/>.</summary>
    private Dictionary<string, object?>? _many;

    /// <summary>True once the store belongs to this instance alone.</summary>
    private bool _owned;

    public Assigns()
    {
        _few = [];
        _owned = true;
    }

    public Assigns(IEnumerable<KeyValuePair<string, object?>> values)
        : this()
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values)
        {
            this[key] = value;
        }
    }

    private Assigns(KeyValuePair<string, object?>[] few, int count, Dictionary<string, object?>? many)
    {
        (_few, _count, _many) = (few, count, many);
        _owned = false;
    }

    public int Count => _many?.Count ?? _count;

    public IEnumerable<string> Keys => _many is { } many ? many.Keys : Few.ToArray().Select(static pair => pair.Key);

    /// <summary>The inline entries (meaningful while <see cref="_many"/> is null).</summary>
    private ReadOnlySpan<KeyValuePair<string, object?>> Few => _few.AsSpan(0, _count);

    public object? this[string key]
    {
        get => TryGetRaw(key, out var value) ? value : null;
        set => Set(key, value);
    }

    public bool ContainsKey(string key) => TryGetRaw(key, out _);

    /// <summary>The value of <paramref name="key"/> as <typeparamref name="T"/>; throws with a clear message when absent or of another type.</summary>
    public T Get<T>(string key) => TryGetRaw(key, out var value) && value is T typed
        ? typed
        : throw new KeyNotFoundException(
            $"Assign '{key}' is {(value is null ? "not set" : $"a {value.GetType().Name}")}, expected {typeof(T).Name}. Set it in ConnectAsync or with Assigns[\"{key}\"] = ....");

    public bool TryGet<T>(string key, [MaybeNullWhen(false)] out T value)
    {
        if (TryGetRaw(key, out var raw) && raw is T typed)
        {
            value = typed;
            return true;
        }

        value = default;
        return false;
    }

    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!ContainsKey(key))
        {
            return false;
        }

        Own();
        if (_many is { } many)
        {
            return many.Remove(key);
        }

        var index = IndexOf(key);
        Array.Copy(_few, index + 1, _few, index, _count - index - 1);
        _few[--_count] = default;
        return true;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        _many is { } many ? many.GetEnumerator() : ((IEnumerable<KeyValuePair<string, object?>>)Few.ToArray()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A copy that shares storage with this instance; whichever side writes first copies before writing.</summary>
    internal Assigns Fork()
    {
        _owned = false; // this instance must copy before its next write too: the child shares the store
        return new Assigns(_few, _count, _many);
    }

    private bool TryGetRaw(string key, out object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_many is { } many)
        {
            return many.TryGetValue(key, out value);
        }

        var index = IndexOf(key);
        value = index >= 0 ? _few[index].Value : null;
        return index >= 0;
    }

    private int IndexOf(string key)
    {
        var few = Few;
        for (var i = 0; i < few.Length; i++)
        {
            if (string.Equals(few[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Set(string key, object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Own();
        if (_many is { } many)
        {
            many[key] = value;
            return;
        }

        var index = IndexOf(key);
        if (index >= 0)
        {
            _few[index] = new(key, value);
            return;
        }

        if (_count == MaxInline)
        {
            _many = new Dictionary<string, object?>(MaxInline * 2, StringComparer.Ordinal);
            foreach (var (k, v) in Few)
            {
                _many[k] = v;
            }

            _many[key] = value;
            (_few, _count) = ([], 0);
            return;
        }

        if (_count == _few.Length)
        {
            Array.Resize(ref _few, Math.Max(1, _count * 2));
        }

        _few[_count++] = new(key, value);
    }

    /// <summary>Makes the store this instance's own (copied if shared) before a write.</summary>
    private void Own()
    {
        if (_owned)
        {
            return;
        }

        if (_many is not null)
        {
            _many = new Dictionary<string, object?>(_many, StringComparer.Ordinal);
        }
        else
        {
            _few = Few.ToArray();
        }

        _owned = true;
    }
}
