using System.Diagnostics.CodeAnalysis;

namespace Fenix.AspNetCore.Internal;

/// <summary>
/// A map for the per-connection bookkeeping that almost always holds one entry (a connection joined to one topic): the
/// first entry is kept inline, a dictionary is created only for a second one and dropped again when the map empties.
/// Not thread-safe: its owner serializes every call (as for the dictionary it replaces).
/// </summary>
internal sealed class SmallMap<TKey, TValue>(IEqualityComparer<TKey> comparer)
    where TKey : notnull
{
    /// <summary>Whether <see cref="_key"/>/<see cref="_value"/> hold an entry (only while <see cref="_many"/> is null).</summary>
    private bool _hasOne;

    private TKey _key = default!;

    private TValue _value = default!;

    /// <summary>Every entry once a second one was added; null while the map has at most one (then the inline fields hold it).</summary>
    private Dictionary<TKey, TValue>? _many;

    public int Count => _many?.Count ?? (_hasOne ? 1 : 0);

    /// <summary>The keys, copied (callers may change the map while enumerating them).</summary>
    public TKey[] Keys => _many is not null ? [.. _many.Keys] : _hasOne ? [_key] : [];

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_many is not null)
        {
            return _many.TryGetValue(key, out value);
        }

        if (_hasOne && comparer.Equals(_key, key))
        {
            value = _value;
            return true;
        }

        value = default;
        return false;
    }

    public TValue? GetValueOrDefault(TKey key) => TryGetValue(key, out var value) ? value : default;

    /// <summary>Adds or replaces the entry of <paramref name="key"/>.</summary>
    public void Set(TKey key, TValue value)
    {
        if (_many is not null)
        {
            _many[key] = value;
        }
        else if (!_hasOne || comparer.Equals(_key, key))
        {
            (_hasOne, _key, _value) = (true, key, value);
        }
        else
        {
            _many = new Dictionary<TKey, TValue>(comparer) { [_key] = _value, [key] = value };
            (_hasOne, _key, _value) = (false, default!, default!);
        }
    }

    /// <summary>Adds an entry; throws if <paramref name="key"/> is present (as <see cref="Dictionary{TKey, TValue}.Add"/>).</summary>
    public void Add(TKey key, TValue value)
    {
        if (TryGetValue(key, out _))
        {
            throw new ArgumentException("An entry with the same key already exists.", nameof(key));
        }

        Set(key, value);
    }

    public bool Remove(TKey key) => Remove(key, out _);

    public bool Remove(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_many is not null)
        {
            if (!_many.Remove(key, out value))
            {
                return false;
            }

            if (_many.Count == 0)
            {
                _many = null; // back to inline: a connection that joined several channels once does not keep the table
            }

            return true;
        }

        if (_hasOne && comparer.Equals(_key, key))
        {
            value = _value;
            (_hasOne, _key, _value) = (false, default!, default!);
            return true;
        }

        value = default;
        return false;
    }
}
