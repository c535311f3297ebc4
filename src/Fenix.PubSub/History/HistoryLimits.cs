namespace Fenix.PubSub.History;

/// <summary>How much of a topic's stream is kept: at most <paramref name="Size"/> messages, none older than <paramref name="Ttl"/>.</summary>
public readonly record struct HistoryLimits(int Size, TimeSpan Ttl)
{
    /// <summary>Throws with what to fix when a limit is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Size, 1, "size");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Size, 1_000_000, "size");
        ArgumentOutOfRangeException.ThrowIfLessThan(Ttl, TimeSpan.FromSeconds(1), "ttl");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Ttl, TimeSpan.FromDays(30), "ttl");
    }
}
