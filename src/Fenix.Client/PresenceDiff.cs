using System.Text.Json;

namespace Fenix.Client;

/// <summary>A <c>presence_diff</c> payload: <c>{"joins": {...}, "leaves": {...}}</c> (either may be missing or empty).</summary>
public sealed record PresenceDiff(PresenceState Joins, PresenceState Leaves)
{
    public static PresenceDiff Parse(Payload payload) =>
        payload.IsBinary ? throw new ArgumentException("Presence payloads are JSON, not binary.", nameof(payload)) : Parse(payload.Json);

    public static PresenceDiff Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Parse(document.RootElement);
    }

    public static PresenceDiff Parse(JsonElement element)
    {
        var joins = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("joins", out var j) ? PresenceState.Parse(j) : new PresenceState();
        var leaves = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("leaves", out var l) ? PresenceState.Parse(l) : new PresenceState();
        return new PresenceDiff(joins, leaves);
    }
}
