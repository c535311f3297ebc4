using System.Text.Json;
using System.Text.Json.Nodes;
using Fenix;

namespace Demo.Pointing;

/// <summary>
/// Removes the secret vote from presence payloads (<c>presence_state</c> and both halves of <c>presence_diff</c>),
/// keeping everything the JS <c>Presence</c> class needs (<c>phx_ref</c>, <c>phx_ref_prev</c>) and <c>voted_in</c>.
/// </summary>
public static class PresenceRedaction
{
    /// <summary>A <c>presence_state</c> payload without votes.</summary>
    public static JsonObject State(PresenceMap present, JsonSerializerOptions options)
    {
        var map = JsonSerializer.SerializeToNode(present, options)?.AsObject() ?? [];
        RedactMap(map);
        return map;
    }

    /// <summary>A <c>presence_diff</c> payload (<c>{"joins":{...},"leaves":{...}}</c>) without votes.</summary>
    public static JsonObject Diff(Payload diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var node = JsonNode.Parse(diff.Bytes.Span)?.AsObject() ?? [];
        foreach (var half in new[] { "joins", "leaves" })
        {
            if (node[half] is JsonObject map)
            {
                RedactMap(map);
            }
        }

        return node;
    }

    private static void RedactMap(JsonObject map)
    {
        foreach (var (_, presence) in map)
        {
            if (presence?["metas"] is JsonArray metas)
            {
                foreach (var meta in metas.OfType<JsonObject>())
                {
                    meta.Remove(PointingMeta.VoteField);
                }
            }
        }
    }
}
