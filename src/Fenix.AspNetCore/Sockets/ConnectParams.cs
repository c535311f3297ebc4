using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace Fenix;

/// <summary>
/// The connect parameters of a socket: every query parameter of the connect request (including <c>vsn</c>),
/// plus route values of the mount path. When a key repeats, the last occurrence wins, as in Phoenix.
/// </summary>
public sealed class ConnectParams : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, string> _values;

    public ConnectParams(IEnumerable<KeyValuePair<string, string>> values) =>
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);

    public int Count => _values.Count;

    public IEnumerable<string> Keys => _values.Keys;

    public IEnumerable<string> Values => _values.Values;

    public string this[string key] => _values[key];

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public string? Get(string key) => _values.GetValueOrDefault(key);

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => _values.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static ConnectParams FromRequest(HttpRequest request)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            // StringValues keeps every occurrence in order; the last one wins.
            values[key] = value.Count > 0 ? value[value.Count - 1] ?? "" : "";
        }

        foreach (var (key, value) in request.RouteValues)
        {
            if (!key.StartsWith('_') && value is not null)
            {
                values[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
        }

        return new ConnectParams(values);
    }
}
