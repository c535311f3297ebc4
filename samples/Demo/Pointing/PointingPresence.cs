using System.Text.Json;
using Fenix;

namespace Demo.Pointing;

/// <summary>Reads a pointing room's presences: who is here, in arrival order, and how they voted in a round.</summary>
public static class PointingPresence
{
    /// <summary>The present users, longest present first (ties by name).</summary>
    public static IReadOnlyList<string> ByArrival(PresenceMap present)
    {
        ArgumentNullException.ThrowIfNull(present);
        return [.. present
            .Select(p => (Name: p.Key, Arrived: p.Value.Metas.Min(OnlineAt)))
            .OrderBy(p => p.Arrived)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name)];
    }

    /// <summary>
    /// Everyone present with their vote in <paramref name="round"/>. A user with several sessions (tabs) has voted when
    /// any session has; the last such session's card counts.
    /// </summary>
    public static IReadOnlyList<Voter> Voters(PresenceMap present, int round)
    {
        ArgumentNullException.ThrowIfNull(present);
        return [.. present.Select(p => new Voter(p.Key, p.Value.Metas.Select(m => VoteIn(m, round)).LastOrDefault(v => v is not null)))];
    }

    private static long OnlineAt(JsonElement meta) =>
        meta.TryGetProperty("online_at", out var value) && value.TryGetInt64(out var ms) ? ms : long.MaxValue;

    private static string? VoteIn(JsonElement meta, int round) =>
        meta.TryGetProperty("voted_in", out var votedIn) && votedIn.ValueKind == JsonValueKind.Number && votedIn.GetInt32() == round
        && meta.TryGetProperty(PointingMeta.VoteField, out var vote) && vote.ValueKind == JsonValueKind.String
            ? vote.GetString()
            : null;
}
