using System.Text.Json;

namespace Fenix.Samples.Tests.Support;

/// <summary>Small readers for payload assertions.</summary>
public static class PayloadReader
{
    public static string? String(Payload payload, string property) =>
        payload.Json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int Int(Payload payload, string property) => payload.Json.GetProperty(property).GetInt32();

    public static string[] Strings(Payload payload, string property) =>
        [.. payload.Json.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>The keys of a presence map, or of one half (<c>joins</c>/<c>leaves</c>) of a diff.</summary>
    public static string[] Keys(Payload payload, string? half = null)
    {
        var map = half is null ? payload.Json : payload.Json.GetProperty(half);
        return [.. map.EnumerateObject().Select(p => p.Name)];
    }

    /// <summary>Every meta of a presence map or diff payload.</summary>
    public static IEnumerable<JsonElement> AllMetas(Payload payload)
    {
        var maps = payload.Json.TryGetProperty("joins", out var joins)
            ? new[] { joins, payload.Json.GetProperty("leaves") }
            : new[] { payload.Json };
        return maps.SelectMany(m => m.EnumerateObject()).SelectMany(p => p.Value.GetProperty("metas").EnumerateArray());
    }
}
