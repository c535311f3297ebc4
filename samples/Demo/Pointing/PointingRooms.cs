namespace Demo.Pointing;

/// <summary>
/// The state of every pointing room of this server (in memory). Votes are not here: they live in each user's presence
/// meta. Commands are checked and applied under one lock, so two drivers cannot deal the same card twice.
/// </summary>
public sealed class PointingRooms
{
    private readonly Lock _lock = new();

    /// <summary>Room name → its state; a room appears on first use. Under <see cref="_lock"/>.</summary>
    private readonly Dictionary<string, RoomState> _rooms = new(StringComparer.Ordinal);

    public RoomState Get(string room)
    {
        lock (_lock)
        {
            return _rooms.GetValueOrDefault(room, RoomState.Initial);
        }
    }

    /// <summary>Deals the first card and makes <paramref name="user"/> the driver; refused while a card is on the table.</summary>
    public RoomResult Start(string room, string user)
    {
        lock (_lock)
        {
            var state = _rooms.GetValueOrDefault(room, RoomState.Initial);
            if (state.Card is not null)
            {
                return new RoomResult(state, "pointing has already started");
            }

            return Set(room, new RoomState(Deck.Cards[0], user, state.Round + 1, 1, Deck.Cards.Count, false));
        }
    }

    /// <summary>Deals the next card (or finishes after the last one); only the driver may.</summary>
    public RoomResult Next(string room, string user)
    {
        lock (_lock)
        {
            var state = _rooms.GetValueOrDefault(room, RoomState.Initial);
            if (state.Card is null)
            {
                return new RoomResult(state, "pointing has not started");
            }

            if (state.Driver != user)
            {
                return new RoomResult(state, "only the driver can deal the next card");
            }

            var next = state.Position < Deck.Cards.Count
                ? state with { Card = Deck.Cards[state.Position], Position = state.Position + 1, Round = state.Round + 1 }
                : state with { Card = null, Position = 0, Round = state.Round + 1, Finished = true };
            return Set(room, next);
        }
    }

    /// <summary>
    /// Hands the driver's role on when the driver is no longer present: to whoever has been in the room longest
    /// (<paramref name="presentByArrival"/> is ordered by arrival). Idempotent, so every channel may call it after a leave.
    /// </summary>
    public RoomState EnsureDriver(string room, IReadOnlyList<string> presentByArrival)
    {
        ArgumentNullException.ThrowIfNull(presentByArrival);
        lock (_lock)
        {
            var state = _rooms.GetValueOrDefault(room, RoomState.Initial);
            if (state.Driver is null || presentByArrival.Count == 0 || presentByArrival.Contains(state.Driver, StringComparer.Ordinal))
            {
                return state;
            }

            return Set(room, state with { Driver = presentByArrival[0] }).State;
        }
    }

    private RoomResult Set(string room, RoomState state)
    {
        _rooms[room] = state;
        return new RoomResult(state, null);
    }
}
