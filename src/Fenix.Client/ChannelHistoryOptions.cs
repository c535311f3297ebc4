namespace Fenix.Client;

/// <summary>
/// Recovery of a history topic's missed messages (a Fenix server with history on the topic; see docs/history.md):
/// on every (re)join the channel sends the position of the last message it saw, and the server replays what was
/// missed before any live message, or says it could not (all or nothing). Pass to
/// <see cref="Socket.HistoryChannel"/>.
/// </summary>
public sealed class ChannelHistoryOptions
{
    /// <summary>Messages to replay when there is nothing to recover from, or it cannot be recovered (0 to the server's limit). Default 0.</summary>
    public int Last { get; init; }

    /// <summary>A position to recover from on the first join (e.g. kept from an earlier session); null: none.</summary>
    public string? Since { get; init; }
}

/// <summary>What the server said about history at a (re)join, raised by <see cref="Channel.HistoryJoined"/> before <see cref="Channel.Joined"/> and before any replayed message.</summary>
/// <param name="First">True at the channel's first successful join.</param>
/// <param name="Enabled">False when the topic keeps no history on the server (nothing is recovered, ever).</param>
/// <param name="Recovered">True when every message after the channel's position is replayed; false on a rejoin means messages may be missing (reload the app's state).</param>
/// <param name="Replayed">How many messages follow from history (a recovery, or the <see cref="ChannelHistoryOptions.Last"/> ones).</param>
/// <param name="Position">Every message after this position follows, in order; null when the topic keeps no history or the server could not read it.</param>
/// <param name="Reason">Why a recovery failed (<c>epoch</c>, <c>future</c>, <c>expired</c>, <c>too_many</c>, <c>too_large</c>, <c>unavailable</c>, <c>invalid</c>), or null.</param>
public sealed record HistoryJoin(bool First, bool Enabled, bool Recovered, int Replayed, string? Position, string? Reason);
