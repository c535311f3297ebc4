using System.Text.Json;
using Demo.Shared;
using Fenix;

namespace Demo.Pointing;

/// <summary>
/// One person in a pointing room (<c>pointing:&lt;room&gt;</c>). Client events: <c>start_pointing</c>, <c>vote {points}</c>,
/// <c>next_card</c>. Server pushes: <c>room_state</c> (card, driver, round), <c>new_card</c> (the same, for a new round),
/// <c>winner</c> (when everyone present has voted), and the room's presences without anyone's vote.
/// <para>
/// Votes live in presence metas (<see cref="PointingMeta"/>). Both <c>presence_diff</c> and <c>new_card</c> are
/// intercepted: diffs are pushed with votes removed and then re-tallied here, for this client; a new card makes this
/// channel clear its own vote, because a channel may update only its own presence.
/// </para>
/// </summary>
public sealed class PointingChannel : Channel
{
    public const string TopicPrefix = "pointing:";
    public const string NewCard = "new_card";
    public const string RoomStateEvent = "room_state";
    public const string Winner = "winner";

    private readonly IPresence _presence;
    private readonly PointingRooms _rooms;
    private readonly TimeProvider _time;

    private string _room = "";
    private string _name = "";

    /// <summary>When this channel arrived (Unix ms); kept in every meta it writes.</summary>
    private long _onlineAt;

    /// <summary>True while this channel's meta holds a vote that a new card must clear.</summary>
    private bool _hasVote;

    /// <summary>The driver this channel's client was last told about.</summary>
    private string? _driverShown;

    /// <summary>The last outcome pushed to this client (round, points, count), so each result is pushed once.</summary>
    private string? _outcomeShown;

    public PointingChannel(IPresence presence, PointingRooms rooms, TimeProvider time)
    {
        _presence = presence;
        _rooms = rooms;
        _time = time;
        Intercept(PhoenixEvents.PresenceDiff, NewCard);
    }

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        if (!TopicName.TryGetId(Topic, TopicPrefix, out var room))
        {
            return JoinResult.Error(new { reason = "unknown room" });
        }

        _room = room;
        _name = Socket.Assigns.Get<string>("name");
        Send(AfterJoin.Instance);
        return JoinResult.Ok(new { name = _name, cards = VoteCalculator.Cards });
    }

    public override async ValueTask HandleInfoAsync(object message)
    {
        if (message is not AfterJoin)
        {
            await base.HandleInfoAsync(message);
            return;
        }

        _onlineAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await _presence.TrackAsync(this, _name, PointingMeta.Arrived(_onlineAt));
        var present = await _presence.ListAsync(this);
        Push(PhoenixEvents.PresenceState, PresenceRedaction.State(present, JsonOptions));
        PushRoomState(_rooms.EnsureDriver(_room, PointingPresence.ByArrival(present)));
    }

    public override async ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload) => @event switch
    {
        "start_pointing" => Deal(_rooms.Start(_room, _name)),
        "next_card" => Deal(_rooms.Next(_room, _name)),
        "vote" => await VoteAsync(payload),
        _ => HandleInResult.Error(new { reason = "unknown event" }),
    };

    public override async ValueTask HandleOutAsync(string @event, Payload payload)
    {
        switch (@event)
        {
            case PhoenixEvents.PresenceDiff:
                Push(PhoenixEvents.PresenceDiff, PresenceRedaction.Diff(payload));
                await ReviewAsync();
                break;
            case NewCard:
                _driverShown = payload.TryGetString("driver", out var driver) ? driver : null;
                _outcomeShown = null;
                Push(NewCard, payload);
                if (_hasVote)
                {
                    _hasVote = false;
                    await _presence.UpdateAsync(this, _name, PointingMeta.Arrived(_onlineAt));
                }

                break;
            default:
                await base.HandleOutAsync(@event, payload);
                break;
        }
    }

    private HandleInResult Deal(RoomResult result)
    {
        if (!result.IsOk)
        {
            return HandleInResult.Error(new { reason = result.Error });
        }

        Broadcast(NewCard, result.State);
        return HandleInResult.Ok();
    }

    private async ValueTask<HandleInResult> VoteAsync(Payload payload)
    {
        if (!TryReadPoints(payload, out var points) || !VoteCalculator.IsCard(points))
        {
            return HandleInResult.Error(new { reason = "invalid vote", cards = VoteCalculator.Cards });
        }

        var state = _rooms.Get(_room);
        if (state.Card is null)
        {
            return HandleInResult.Error(new { reason = "there is no card to vote on" });
        }

        _hasVote = true;
        await _presence.UpdateAsync(this, _name, new PointingMeta(_onlineAt, points, state.Round));
        return HandleInResult.Ok(new { points, round = state.Round });
    }

    /// <summary>After any presence change: hand the driver's role on if its holder left, and announce a complete round.</summary>
    private async ValueTask ReviewAsync()
    {
        var present = await _presence.ListAsync(this);
        var state = _rooms.EnsureDriver(_room, PointingPresence.ByArrival(present));
        if (state.Driver != _driverShown)
        {
            PushRoomState(state);
        }

        var outcome = state.Card is null ? null : VoteCalculator.Tally(PointingPresence.Voters(present, state.Round));
        if (outcome is null)
        {
            return;
        }

        var shown = $"{state.Round}:{string.Join(',', outcome.Points)}:{outcome.Votes}";
        if (shown != _outcomeShown)
        {
            _outcomeShown = shown;
            Push(Winner, new { round = state.Round, outcome = outcome.IsTie ? "tie" : "winner", points = outcome.Points, votes = outcome.Votes, winner_votes = outcome.WinnerVotes });
        }
    }

    private void PushRoomState(RoomState state)
    {
        _driverShown = state.Driver;
        Push(RoomStateEvent, state);
    }

    /// <summary>Reads <c>points</c> as a string, or as a whole number (<c>5</c> is the card <c>"5"</c>).</summary>
    private static bool TryReadPoints(Payload payload, out string points)
    {
        points = "";
        if (payload.IsBinary || payload.Json.ValueKind != JsonValueKind.Object || !payload.Json.TryGetProperty("points", out var value))
        {
            return false;
        }

        points = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number when value.TryGetInt32(out var number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "",
        };
        return points.Length > 0;
    }

    private sealed class AfterJoin
    {
        public static AfterJoin Instance { get; } = new();
    }
}
