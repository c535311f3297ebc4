using Fenix.PubSub.RabbitMQ.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>
/// Counts dropped messages in the metrics at once and logs them at most once per interval (the first drop of a quiet
/// period logs immediately), so that an outage under load costs a log line every few seconds, not one per message.
/// </summary>
internal sealed class DropReporter(ILogger log, RabbitMqMetrics metrics, TimeProvider time, TimeSpan interval)
{
    /// <summary>The reason of drops before the first connection: counted in the metrics, logged at debug level only.</summary>
    public const string Starting = "starting";

    /// <summary>Drops not yet logged.</summary>
    private long _unreported;

    /// <summary>Timestamp of the last log line; 0 before the first.</summary>
    private long _lastReport;

    public void Dropped(long count, string reason)
    {
        if (count <= 0)
        {
            return;
        }

        metrics.Dropped(count, reason);
        if (reason == Starting)
        {
            log.DroppedWhileStarting(count);
            return;
        }

        Interlocked.Add(ref _unreported, count);
        var now = time.GetTimestamp();
        var last = Volatile.Read(ref _lastReport);
        if ((last == 0 || time.GetElapsedTime(last, now) >= interval) && Interlocked.CompareExchange(ref _lastReport, now, last) == last)
        {
            Report(last == 0 ? TimeSpan.Zero : time.GetElapsedTime(last, now), reason);
        }
    }

    /// <summary>Logs what was dropped since the last line, if anything (e.g. when the broker returns).</summary>
    public void Flush(string reason)
    {
        var last = Interlocked.Exchange(ref _lastReport, time.GetTimestamp());
        Report(last == 0 ? TimeSpan.Zero : time.GetElapsedTime(last), reason);
    }

    private void Report(TimeSpan interval, string reason)
    {
        var count = Interlocked.Exchange(ref _unreported, 0);
        if (count > 0)
        {
            log.Dropped(count, interval, reason);
        }
    }
}
