namespace Fenix.PubSub.History;

/// <summary>
/// What to read from a topic's stream, in one round trip. When the stream is in <see cref="Since"/>'s epoch and not
/// behind it: the entries after it, at most <see cref="MaxCount"/> (a recovery, which also sets <see cref="Last"/>, asks
/// for them only when all of them fit; a read of a window sets <see cref="Last"/> to 0 and takes the first
/// <see cref="MaxCount"/>). Otherwise the last <see cref="Last"/> entries (at most <see cref="MaxCount"/>); otherwise
/// none. Every read returns the stream's epoch and top offset.
/// </summary>
public readonly record struct HistoryQuery(HistoryPosition? Since, int Last, int MaxCount)
{
    /// <summary>Only the stream's epoch and top.</summary>
    public static HistoryQuery Top { get; } = new(null, 0, 0);

    /// <summary>The first <paramref name="maxCount"/> entries after <paramref name="after"/> in <paramref name="epoch"/>.</summary>
    public static HistoryQuery After(string epoch, long after, int maxCount) => new(new HistoryPosition(epoch, after), 0, maxCount);

    /// <summary>True when a stream in <paramref name="epoch"/> up to <paramref name="top"/> answers with the entries after <see cref="Since"/>.</summary>
    public bool CanReadSince(string? epoch, long top) =>
        Since is { } since && epoch is not null && since.Epoch == epoch && since.Offset <= top && (Last == 0 || top - since.Offset <= MaxCount);

    /// <summary>The last offset a read after <see cref="Since"/> returns, for a stream whose top is <paramref name="top"/>.</summary>
    public long SinceEnd(long top) => Math.Min(top, Since!.Value.Offset + MaxCount);
}

/// <summary>Which entries a <see cref="HistorySlice"/> holds.</summary>
public enum HistorySliceKind
{
    /// <summary>No entries were asked for, or none could be given.</summary>
    None,

    /// <summary>The entries after <see cref="HistoryQuery.Since"/> that the stream still holds, in order (up to its top, or <see cref="HistoryQuery.MaxCount"/> of them).</summary>
    Since,

    /// <summary>The last entries the stream holds, in order, up to its top.</summary>
    Last,
}

/// <summary>
/// The answer to a <see cref="HistoryQuery"/>: the stream's <see cref="Epoch"/> (null when the topic has no stream),
/// its <see cref="Top"/> offset (0 when empty), the store's clock, and the entries read (ascending, contiguous offsets;
/// a read after a position may start later than asked when the stream no longer holds the first ones). Entries may be
/// older than the topic's ttl: the reader decides.
/// </summary>
public sealed record HistorySlice(string? Epoch, long Top, long NowMs, HistorySliceKind Kind, IReadOnlyList<HistoryEntry> Entries)
{
    /// <summary>A topic without a stream.</summary>
    public static HistorySlice Empty(long nowMs) => new(null, 0, nowMs, HistorySliceKind.None, []);
}
