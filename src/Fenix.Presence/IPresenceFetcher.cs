namespace Fenix;

/// <summary>
/// Enriches presences before they are handed out (Phoenix's <c>fetch/2</c>): called for <c>ListAsync</c> and
/// <c>GetByKeyAsync</c>, and separately for the joins and the leaves of every diff before it is sent. Typically loads
/// the users behind the keys in one query and adds them with <see cref="PresenceEntry.SetExtra"/>. It may add fields
/// per key but cannot drop keys or metas. Runs off the tracker's loop; diffs of a topic are still sent in order.
/// </summary>
public interface IPresenceFetcher
{
    /// <summary>Adds extras to <paramref name="presences"/> (never empty) of <paramref name="topic"/>.</summary>
    ValueTask FetchAsync(string topic, PresenceMap presences, CancellationToken cancellationToken);
}
