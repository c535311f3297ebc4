using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fenix.Client;

/// <summary>A presence appeared: <paramref name="current"/> is the key's presence before (null if new), <paramref name="joined"/> what joined.</summary>
public delegate void PresenceJoinHandler(string key, JsonObject? current, JsonObject joined);

/// <summary>Metas left: <paramref name="current"/> is what remains of the key's presence (no metas: the key is gone), <paramref name="left"/> what left.</summary>
public delegate void PresenceLeaveHandler(string key, JsonObject current, JsonObject left);

/// <summary>
/// The presence synchronisation algorithm of phoenix.js (protocol.md §7.5), pure apart from the callbacks: metas
/// are told apart by <c>phx_ref</c>, so re-announced metas are not duplicated and leaves for unknown keys are ignored.
/// </summary>
public static class PresenceSync
{
    /// <summary>
    /// Reconciles <paramref name="currentState"/> with a full <paramref name="newState"/> from the server (after a
    /// join or rejoin): keys and metas missing from it leave, new ones join. Neither argument is modified.
    /// </summary>
    public static PresenceState SyncState(
        PresenceState currentState,
        PresenceState newState,
        PresenceJoinHandler? onJoin = null,
        PresenceLeaveHandler? onLeave = null)
    {
        var state = currentState.Clone();
        var incoming = newState.Clone();
        var joins = new PresenceState();
        var leaves = new PresenceState();
        foreach (var (key, presence) in state)
        {
            if (!incoming.ContainsKey(key))
            {
                leaves[key] = presence;
            }
        }

        foreach (var (key, newPresence) in incoming)
        {
            if (!state.TryGetValue(key, out var currentPresence))
            {
                joins[key] = newPresence;
                continue;
            }

            var newRefs = Refs(newPresence);
            var currentRefs = Refs(currentPresence);
            var joinedMetas = Metas(newPresence).Where(meta => !currentRefs.Contains(RefOf(meta))).ToList();
            var leftMetas = Metas(currentPresence).Where(meta => !newRefs.Contains(RefOf(meta))).ToList();
            if (joinedMetas.Count > 0)
            {
                joins[key] = WithMetas(newPresence, joinedMetas);
            }

            if (leftMetas.Count > 0)
            {
                leaves[key] = WithMetas(currentPresence, leftMetas);
            }
        }

        return SyncDiff(state, new PresenceDiff(joins, leaves), onJoin, onLeave);
    }

    /// <summary>
    /// Applies a diff to <paramref name="state"/> and returns it (the state is updated in place, as in phoenix.js;
    /// the diff is not modified). Joins first: a key's presence object (extras included) is replaced by the joined one,
    /// with its earlier metas whose <c>phx_ref</c> is not re-announced kept in front. Then leaves: metas are removed
    /// by <c>phx_ref</c>, a key without metas disappears, and leaves for unknown keys are ignored.
    /// </summary>
    public static PresenceState SyncDiff(
        PresenceState state,
        PresenceDiff diff,
        PresenceJoinHandler? onJoin = null,
        PresenceLeaveHandler? onLeave = null)
    {
        var joins = diff.Joins.Clone();
        var leaves = diff.Leaves.Clone();
        foreach (var (key, newPresence) in joins)
        {
            state.TryGetValue(key, out var currentPresence);
            var joined = (JsonObject)newPresence.DeepClone();
            state[key] = joined;
            if (currentPresence is not null)
            {
                var joinedRefs = Refs(joined);
                var kept = Metas(currentPresence).Where(meta => !joinedRefs.Contains(RefOf(meta))).ToList();
                joined["metas"] = new JsonArray([.. kept.Select(Copy), .. Metas(joined).Select(Copy)]);
            }

            onJoin?.Invoke(key, currentPresence, newPresence);
        }

        foreach (var (key, leftPresence) in leaves)
        {
            if (!state.TryGetValue(key, out var currentPresence))
            {
                continue;
            }

            var removed = Refs(leftPresence);
            currentPresence["metas"] = new JsonArray([.. Metas(currentPresence).Where(meta => !removed.Contains(RefOf(meta))).Select(Copy)]);
            onLeave?.Invoke(key, currentPresence, leftPresence);
            if (Metas(currentPresence).Count == 0)
            {
                state.Remove(key);
            }
        }

        return state;
    }

    /// <summary>The presence objects of <paramref name="state"/>, passed through <paramref name="chooser"/>, in key order.</summary>
    public static IReadOnlyList<T> List<T>(PresenceState state, Func<string, JsonObject, T> chooser) =>
        [.. state.Select(entry => chooser(entry.Key, entry.Value))];

    /// <summary>The <c>phx_ref</c> of a meta: its string, or its JSON text when not a string; null when absent.</summary>
    public static string? RefOf(JsonNode? meta) =>
        meta is JsonObject o && o.TryGetPropertyValue("phx_ref", out var value) && value is not null
            ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()
            : null;

    private static JsonArray Metas(JsonObject presence) => PresenceState.MetasOf(presence);

    private static HashSet<string?> Refs(JsonObject presence) => [.. Metas(presence).Select(RefOf)];

    private static JsonNode? Copy(JsonNode? node) => node?.DeepClone();

    /// <summary>A copy of <paramref name="presence"/> (extras included) holding only <paramref name="metas"/>.</summary>
    private static JsonObject WithMetas(JsonObject presence, List<JsonNode?> metas)
    {
        var copy = (JsonObject)presence.DeepClone();
        copy["metas"] = new JsonArray([.. metas.Select(Copy)]);
        return copy;
    }
}
