namespace Demo.Pointing;

/// <summary>
/// What everyone in a pointing room sees, apart from presence: the card on the table, who drives, and the round
/// (a new round starts with every new card; votes count only in the round they were cast in).
/// </summary>
/// <param name="Card">The card being pointed, or null before pointing starts and after the last card.</param>
/// <param name="Driver">Who deals the cards: whoever started pointing, then the next person when they leave.</param>
/// <param name="Position">1-based position of <paramref name="Card"/> in the deck (0 when there is no card).</param>
public sealed record RoomState(Card? Card, string? Driver, int Round, int Position, int Total, bool Finished)
{
    public static RoomState Initial { get; } = new(null, null, 0, 0, Deck.Cards.Count, false);
}

/// <summary>The answer of a room command: the new state, or the reason it was refused (the state is then unchanged).</summary>
public readonly record struct RoomResult(RoomState State, string? Error)
{
    public bool IsOk => Error is null;
}
