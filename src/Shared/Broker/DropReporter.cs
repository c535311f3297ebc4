namespace Fenix.PubSub.Broker;

/// <summary>
/// Counts dropped messages in the metrics at once and logs them at most once per interval (the first drop of a quiet
/// period logs immediately), so that an outage under load costs a log line every few seconds, not one per message.
/// </summary>
/// <param name="count">Adds to the adapter's drop counter (metric and totals), with the reason.</param>
/// <param name="report">Logs how many messages were dropped over how long, and why.</param>
/// <param name="reportStarting">Logs (at debug level) drops before the first connection, which are expected.</param>
internal sealed class DropReporter(
    Action<long, string> count,
    Action<long, TimeSpan, string> report,
    Action<long> reportStarting,
    TimeProvider time,
    TimeSpan interval)
{
    /// <summary>The reason of drops before the first connection: counted in the metrics, logged at debug level only.</summary>
    public const string Starting = "starting";

    /// <summary>Drops not yet logged.</summary>
    private long _unreported;

    /// <summary>Timestamp of the last log line; 0 before the first.</summary>
    private long _lastReport;

    public void Dropped(long dropped, string reason)
    {
        if (dropped <= 0)
        {
            return;
        }

        count(dropped, reason);
        if (reason == Starting)
        {
            reportStarting(dropped);
            return;
        }

        Interlocked.Add(ref _unreported, dropped);
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

    private void Report(TimeSpan period, string reason)
    {
        var unreported = Interlocked.Exchange(ref _unreported, 0);
        if (unreported > 0)
        {
            report(unreported, period, reason);
        }
    }
}
