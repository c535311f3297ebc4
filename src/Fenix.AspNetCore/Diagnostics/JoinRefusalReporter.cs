using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Diagnostics;

/// <summary>
/// Logs refused joins (no route, too many channels, unauthorized) as one warning per interval instead of one per join:
/// the JS client retries a refused join forever (with backoff, for every channel of every open page), so a line per
/// refusal floods the log. The first refusal after a quiet interval logs at once; each join's details are at Debug.
/// </summary>
internal sealed class JoinRefusalReporter(ILogger log, TimeProvider time, TimeSpan interval)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    /// <summary>Refusals not yet reported, by kind (indexes of <see cref="Kinds"/>).</summary>
    private readonly long[] _unreported = new long[3];

    private static readonly string[] Kinds = ["unmatched", "too_many", "unauthorized"];

    /// <summary>Timestamp of the last summary; 0 before the first.</summary>
    private long _lastReport;

    /// <summary>Counts a join result; only refusals the client cannot fix by itself (see <see cref="Kinds"/>) are summarised.</summary>
    public void Refused(string result, string topic)
    {
        var kind = Array.IndexOf(Kinds, result);
        if (kind < 0)
        {
            return;
        }

        Interlocked.Increment(ref _unreported[kind]);
        var now = time.GetTimestamp();
        var last = Volatile.Read(ref _lastReport);
        if ((last == 0 || time.GetElapsedTime(last, now) >= interval) && Interlocked.CompareExchange(ref _lastReport, now, last) == last)
        {
            var unmatched = Interlocked.Exchange(ref _unreported[0], 0);
            var tooMany = Interlocked.Exchange(ref _unreported[1], 0);
            var unauthorized = Interlocked.Exchange(ref _unreported[2], 0);
            var count = unmatched + tooMany + unauthorized;
            if (count == 1)
            {
                log.JoinRefusedSummaryStart(topic, result, interval.TotalSeconds);
            }
            else
            {
                var since = last == 0 ? TimeSpan.Zero : time.GetElapsedTime(last, now);
                log.JoinsRefused(count, (int)Math.Ceiling(since.TotalSeconds), unmatched, tooMany, unauthorized, topic, result);
            }
        }
    }
}
