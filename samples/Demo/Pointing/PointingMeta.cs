using System.Text.Json.Serialization;

namespace Demo.Pointing;

/// <summary>
/// A user's presence meta in a pointing room. The vote is private: <see cref="PresenceRedaction"/> removes it from every
/// presence payload before it leaves the server, so clients see only <c>voted_in</c> (who has voted in which round).
/// </summary>
/// <param name="OnlineAt">When this session arrived (Unix milliseconds): the order in which the driver's role is handed on.</param>
/// <param name="Vote">The card played, or null.</param>
/// <param name="VotedIn">The round <paramref name="Vote"/> was cast in; a vote from an earlier round does not count.</param>
public sealed record PointingMeta(
    [property: JsonPropertyName("online_at")] long OnlineAt,
    [property: JsonPropertyName("vote")] string? Vote,
    [property: JsonPropertyName("voted_in")] int? VotedIn)
{
    public const string VoteField = "vote";

    public static PointingMeta Arrived(long onlineAt) => new(onlineAt, null, null);
}
