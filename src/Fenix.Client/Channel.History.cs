using System.Text.Json;
using System.Text.Json.Nodes;
using Fenix.Protocol;

namespace Fenix.Client;

/// <summary>History recovery (only for channels created with <see cref="ChannelHistoryOptions"/>); all of it runs on the socket's dispatch loop.</summary>
public sealed partial class Channel
{
    /// <summary>The join payload's member that asks the server to recover (docs/protocol.md).</summary>
    private const string HistoryMember = "fenix_history";

    /// <summary>Null for channels without recovery (nothing here changes what they send or see).</summary>
    private readonly ChannelHistoryOptions? _history;

    /// <summary>The position of the last message seen (or the last join reply's); written on the dispatch loop only.</summary>
    private volatile string? _historyPosition;

    /// <summary>Successful joins so far (dispatch loop only).</summary>
    private int _historyJoins;

    /// <summary>Raised at every successful (re)join of a channel with recovery, before <see cref="Joined"/> and before any replayed message.</summary>
    public event Action<HistoryJoin>? HistoryJoined;

    /// <summary>The position of the last history message this channel saw (to keep, and pass back as <see cref="ChannelHistoryOptions.Since"/> later); null before any.</summary>
    public string? HistoryPosition => _historyPosition;

    /// <summary>True when <paramref name="ref"/> (a message's <see cref="Message.Ref"/>) is a history position, <c>"&lt;epoch&gt;:&lt;offset&gt;"</c>.</summary>
    public static bool IsHistoryPosition(string? @ref)
    {
        if (@ref is null || @ref.Length > 52)
        {
            return false;
        }

        var colon = @ref.IndexOf(':', StringComparison.Ordinal);
        if (colon is < 1 or > 32 || colon == @ref.Length - 1)
        {
            return false;
        }

        for (var i = 0; i < @ref.Length; i++)
        {
            var c = @ref[i];
            var ok = i < colon ? c is (>= '0' and <= '9') or (>= 'a' and <= 'z') : i == colon || c is >= '0' and <= '9';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The app's join payload plus the recovery request (a JSON object payload gains a member; anything else is sent as is).</summary>
    private Payload WithHistoryRequest(Payload payload)
    {
        if (_history is null || payload.IsBinary || !payload.IsJsonObject)
        {
            return payload;
        }

        var request = new JsonObject();
        var since = _historyPosition ?? (IsHistoryPosition(_history.Since) ? _history.Since : null);
        if (since is not null)
        {
            request["since"] = since;
        }

        if (_history.Last > 0)
        {
            request["last"] = _history.Last;
        }

        var body = JsonNode.Parse(payload.Bytes.Span)!.AsObject();
        body[HistoryMember] = request;
        return Payload.From(body);
    }

    /// <summary>Before the join reply reaches its push (and so <see cref="Joined"/>): what the server recovered.</summary>
    private void OnHistoryJoinReply(Message reply)
    {
        if (_history is null || reply.Payload.IsBinary || !reply.Payload.IsJsonObject ||
            !reply.Payload.Json.TryGetProperty("status", out var status) || status.GetString() != ReplyStatus.Ok)
        {
            return;
        }

        HistoryJoin join;
        if (reply.Payload.Json.TryGetProperty("history", out var history) && history.ValueKind == JsonValueKind.Object)
        {
            var position = history.TryGetProperty("position", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            join = new HistoryJoin(
                _historyJoins == 0,
                Enabled: true,
                Recovered: history.TryGetProperty("recovered", out var r) && r.ValueKind == JsonValueKind.True,
                Replayed: history.TryGetProperty("replayed", out var n) && n.TryGetInt32(out var count) ? count : 0,
                position,
                history.TryGetProperty("reason", out var why) && why.ValueKind == JsonValueKind.String ? why.GetString() : null);
            if (IsHistoryPosition(position))
            {
                _historyPosition = position;
            }
        }
        else
        {
            join = new HistoryJoin(_historyJoins == 0, Enabled: false, Recovered: false, Replayed: 0, null, "not_enabled");
        }

        _historyJoins++;
        Socket.Raise(HistoryJoined, join);
    }

    /// <summary>A message of this channel: its position, if it has one, is the channel's new position.</summary>
    private void TrackHistoryPosition(Message message)
    {
        if (_history is not null && IsHistoryPosition(message.Ref))
        {
            _historyPosition = message.Ref;
        }
    }
}
