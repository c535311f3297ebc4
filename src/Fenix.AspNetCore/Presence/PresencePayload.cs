using System.Text.Json;

namespace Fenix.AspNetCore.Presence;

/// <summary>
/// Turns what a channel pushes into a payload, short-cutting a <see cref="PresenceMap"/> read from a shared snapshot:
/// its JSON is already encoded once for every joiner that read the same snapshot, so a crowd's <c>presence_state</c>
/// pushes neither re-encode nor copy it into a payload of their own.
/// </summary>
internal static class PresencePayload
{
    public static Payload From(object? value, JsonSerializerOptions options) =>
        value is PresenceMap map && !options.WriteIndented && map.SharedJson(options) is { } json
            ? Payload.FromUtf8Json(json)
            : Payload.From(value, options);
}
