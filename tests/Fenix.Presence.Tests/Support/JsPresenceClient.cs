using System.Text.Json;

namespace Fenix.Presence.Tests.Support;

/// <summary>
/// The JS client's <c>Presence</c> class (§7.5) in C#: diffs before the first state are buffered; <c>syncState</c> and
/// <c>syncDiff</c> merge by <c>phx_ref</c> exactly as phoenix.js does (joins first, then leaves). Lets tests check that
/// what the server sends leaves a client with the server's presences.
/// </summary>
internal sealed class JsPresenceClient
{
    private readonly List<PresenceDiff> _pending = [];
    private readonly Dictionary<string, List<JsonElement>> _state = new(StringComparer.Ordinal);
    private bool _synced;

    /// <summary>Keys and their phx_refs, as the client's <c>list()</c> would show them.</summary>
    public Dictionary<string, HashSet<string>> View =>
        _state.ToDictionary(kv => kv.Key, kv => kv.Value.Select(Ref).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    public void OnState(PresenceMap state)
    {
        var incoming = ToState(state);
        var joins = new PresenceMap();
        var leaves = new PresenceMap();
        foreach (var (key, metas) in _state)
        {
            if (!incoming.ContainsKey(key))
            {
                metas.ForEach(m => leaves.Add(key, m));
            }
        }

        foreach (var (key, metas) in incoming)
        {
            if (!_state.TryGetValue(key, out var current))
            {
                metas.ForEach(m => joins.Add(key, m));
                continue;
            }

            var newRefs = metas.Select(Ref).ToHashSet();
            var curRefs = current.Select(Ref).ToHashSet();
            metas.Where(m => !curRefs.Contains(Ref(m))).ToList().ForEach(m => joins.Add(key, m));
            current.Where(m => !newRefs.Contains(Ref(m))).ToList().ForEach(m => leaves.Add(key, m));
        }

        SyncDiff(joins, leaves);
        _synced = true;
        foreach (var diff in _pending)
        {
            SyncDiff(diff.Joins, diff.Leaves);
        }

        _pending.Clear();
    }

    public void OnDiff(PresenceDiff diff)
    {
        if (!_synced)
        {
            _pending.Add(diff);
            return;
        }

        SyncDiff(diff.Joins, diff.Leaves);
    }

    private void SyncDiff(PresenceMap joins, PresenceMap leaves)
    {
        foreach (var (key, joined) in joins)
        {
            var metas = joined.Metas.ToList();
            if (_state.TryGetValue(key, out var previous))
            {
                var joinedRefs = metas.Select(Ref).ToHashSet();
                metas = [.. previous.Where(m => !joinedRefs.Contains(Ref(m))), .. metas];
            }

            _state[key] = metas;
        }

        foreach (var (key, left) in leaves)
        {
            if (!_state.TryGetValue(key, out var current))
            {
                continue;
            }

            var leftRefs = left.Metas.Select(Ref).ToHashSet();
            current.RemoveAll(m => leftRefs.Contains(Ref(m)));
            if (current.Count == 0)
            {
                _state.Remove(key);
            }
        }
    }

    private static Dictionary<string, List<JsonElement>> ToState(PresenceMap map) =>
        map.ToDictionary(kv => kv.Key, kv => kv.Value.Metas.ToList(), StringComparer.Ordinal);

    private static string Ref(JsonElement meta) => meta.GetProperty("phx_ref").GetString()!;
}
