using Fenix.PubSub.History;

namespace Fenix.AspNetCore.History;

/// <summary>Why a join did not recover (the <c>reason</c> of the reply's history member).</summary>
internal static class NotRecovered
{
    /// <summary>The request was malformed (its since, its last, or its shape).</summary>
    public const string Invalid = "invalid";

    /// <summary>The position is of another epoch (the stream restarted, expired, or the epoch is foreign).</summary>
    public const string Epoch = "epoch";

    /// <summary>The position is beyond the stream's last message.</summary>
    public const string Future = "future";

    /// <summary>Some messages after the position are no longer kept (beyond the topic's size or ttl, or evicted).</summary>
    public const string Expired = "expired";

    /// <summary>More messages than <see cref="HistoryOptions.MaxRecoveryMessages"/> would be replayed.</summary>
    public const string TooMany = "too_many";

    /// <summary>More bytes than <see cref="HistoryOptions.MaxRecoveryBytes"/> would be replayed.</summary>
    public const string TooLarge = "too_large";

    /// <summary>The store could not be read.</summary>
    public const string Unavailable = "unavailable";
}

/// <summary>
/// What a join replays: <see cref="Entries"/> (ascending, contiguous, ending at <see cref="Through"/>), starting after
/// <see cref="Start"/>, and whether that is a recovery of everything after the client's position.
/// </summary>
/// <param name="Epoch">The stream's epoch (null: no stream, or unknown).</param>
/// <param name="Start">The offset right before the first replayed entry (the client's position when recovered; <see cref="Through"/> when nothing is replayed).</param>
/// <param name="Through">The offset of the last entry the read covered (the stream's top when read).</param>
internal sealed record RecoveryPlan(bool Recovered, string? Reason, string? Epoch, long Start, long Through, IReadOnlyList<HistoryEntry> Entries)
{
    public bool Replays => Entries.Count > 0;
}

/// <summary>
/// Decides a recovery from the request and what the store returned: all or nothing. Pure: the tests feed it slices.
/// </summary>
internal static class RecoveryPlanner
{
    public static RecoveryPlan Plan(HistoryRequest request, HistorySlice? slice, HistoryLimits limits, int maxMessages, long maxBytes)
    {
        if (request.IsInvalid)
        {
            return slice is null ? new RecoveryPlan(false, NotRecovered.Invalid, null, 0, 0, []) : Nothing(slice, NotRecovered.Invalid);
        }

        if (slice is null)
        {
            var asked = request.Since is not null || request.Last > 0;
            return new RecoveryPlan(false, asked ? NotRecovered.Unavailable : null, null, 0, 0, []);
        }

        var oldest = slice.NowMs - (long)limits.Ttl.TotalMilliseconds;

        string? reason = null;
        if (request.Since is { } since)
        {
            reason = WhyNot(since, slice, oldest, maxMessages, maxBytes);
            if (reason is null)
            {
                return new RecoveryPlan(true, null, slice.Epoch, since.Offset, slice.Top, slice.Entries);
            }
        }

        if (request.Last > 0 && slice.Epoch is not null)
        {
            var tail = Tail(slice.Entries, slice.Top, Math.Min(request.Last, maxMessages), oldest, maxBytes);
            if (tail.Count > 0)
            {
                return new RecoveryPlan(false, reason, slice.Epoch, tail[0].Offset - 1, slice.Top, tail);
            }
        }

        return Nothing(slice, reason);
    }

    private static RecoveryPlan Nothing(HistorySlice slice, string? reason) =>
        new(false, reason, slice.Epoch, slice.Top, slice.Top, []);

    private static string? WhyNot(HistoryPosition since, HistorySlice slice, long oldest, int maxMessages, long maxBytes)
    {
        if (slice.Epoch is null || since.Epoch != slice.Epoch)
        {
            return NotRecovered.Epoch;
        }

        if (since.Offset > slice.Top)
        {
            return NotRecovered.Future;
        }

        var missed = slice.Top - since.Offset;
        if (missed > maxMessages)
        {
            return NotRecovered.TooMany;
        }

        if (missed == 0)
        {
            return null;
        }

        var entries = slice.Entries;
        if (slice.Kind != HistorySliceKind.Since || entries.Count != missed || entries[0].Offset != since.Offset + 1 || entries[^1].Offset != slice.Top)
        {
            return NotRecovered.Expired;
        }

        if (entries[0].TimestampMs < oldest)
        {
            return NotRecovered.Expired;
        }

        long bytes = 0;
        foreach (var entry in entries)
        {
            bytes += entry.Data.Length;
        }

        return bytes > maxBytes ? NotRecovered.TooLarge : null;
    }

    /// <summary>The newest entries, contiguous up to the top, at most <paramref name="count"/>, none too old, within the byte cap.</summary>
    private static List<HistoryEntry> Tail(IReadOnlyList<HistoryEntry> entries, long top, int count, long oldest, long maxBytes)
    {
        var tail = new List<HistoryEntry>();
        long bytes = 0;
        var expected = top;
        for (var i = entries.Count - 1; i >= 0 && tail.Count < count; i--)
        {
            var entry = entries[i];
            bytes += entry.Data.Length;
            if (entry.Offset != expected || entry.TimestampMs < oldest || bytes > maxBytes)
            {
                break;
            }

            tail.Add(entry);
            expected--;
        }

        tail.Reverse();
        return tail;
    }
}
