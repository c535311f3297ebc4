namespace Demo.Pointing;

/// <summary>Someone present in the room and their vote in the current round (null until they vote).</summary>
public sealed record Voter(string Name, string? Vote);

/// <summary>
/// The result of a round: the most voted card, or every card tied for most votes (in deck order).
/// </summary>
/// <param name="Points">One card for a winner, several for a tie; always in <see cref="VoteCalculator.Cards"/> order.</param>
/// <param name="Votes">How many votes were counted in all.</param>
/// <param name="WinnerVotes">How many of them each card in <paramref name="Points"/> got (the most any card got).</param>
public sealed record VoteOutcome(IReadOnlyList<string> Points, int Votes, int WinnerVotes)
{
    public bool IsTie => Points.Count > 1;
}

/// <summary>
/// The pointing rules as pure functions: which cards may be played, when a round is complete and who won.
/// </summary>
public static class VoteCalculator
{
    /// <summary>The card values a voter may play, in the order they are shown.</summary>
    public static IReadOnlyList<string> Cards { get; } = ["1", "2", "3", "5", "8", "13"];

    public static bool IsCard(string? points) => points is not null && Cards.Contains(points, StringComparer.Ordinal);

    /// <summary>
    /// The outcome once every voter has voted, or null while someone has not (or nobody is present).
    /// </summary>
    public static VoteOutcome? Tally(IReadOnlyCollection<Voter> voters)
    {
        ArgumentNullException.ThrowIfNull(voters);
        if (voters.Count == 0 || voters.Any(v => v.Vote is null))
        {
            return null;
        }

        return Decide(voters.Select(v => v.Vote!));
    }

    /// <summary>The most voted card, or the tie between the most voted cards. Votes that are not cards are ignored.</summary>
    public static VoteOutcome Decide(IEnumerable<string> votes)
    {
        ArgumentNullException.ThrowIfNull(votes);
        var counts = votes.Where(IsCard).GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        if (counts.Count == 0)
        {
            return new VoteOutcome([], 0, 0);
        }

        var most = counts.Values.Max();
        var points = Cards.Where(card => counts.GetValueOrDefault(card) == most).ToList();
        return new VoteOutcome(points, counts.Values.Sum(), most);
    }
}
