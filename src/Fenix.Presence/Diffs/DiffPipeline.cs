using System.Threading.Channels;
using Fenix.Presence.Diagnostics;
using Fenix.Presence.Sharding;
using Fenix.Presence.Tracker;
using Microsoft.Extensions.Logging;

namespace Fenix.Presence.Diffs;

/// <summary>
/// Turns one shard's diffs into published <see cref="PresenceDiff"/>s (Phoenix's <c>handle_diff</c> plus its task
/// queue): diffs are grouped by topic; topics with a coalescing rule collect into a <see cref="CoalescingWindow"/> that
/// a timer closes, other topics go out at once until their <see cref="DiffRateGate"/> says they are busy and opens
/// such a window for them; every resulting job enters one FIFO queue. A dispatcher starts up to
/// <see cref="PresenceOptions.MaxConcurrentFetches"/> fetches ahead but publishes strictly in queue order, so a slow
/// fetch never reorders a topic's diffs.
/// </summary>
internal sealed class DiffPipeline : ITrackerShardObserver, IAsyncDisposable
{
    /// <summary>The coalescing rules, copied at construction (first match wins).</summary>
    private readonly CoalescingRule[] _rules;
    private readonly int _maxConcurrentFetches;
    private readonly IPresenceFetcher? _fetcher;
    private readonly IPresenceDiffPublisher? _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly PresenceMetrics? _metrics;
    private readonly Channel<DiffJob> _jobs = Channel.CreateUnbounded<DiffJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _dispatcher;

    /// <summary>Adaptive coalescing of topics without a rule; guarded by <see cref="_windows"/>.</summary>
    private readonly DiffRateGate _gate;

    /// <summary>The pipeline's time origin (timestamp of <see cref="_time"/>) for the gate's clock.</summary>
    private readonly long _started;

    /// <summary>Open windows by topic; guarded by itself. A job is queued under this lock so that a topic's windows queue in order.</summary>
    private readonly Dictionary<string, CoalescingWindow> _windows = new(StringComparer.Ordinal);

    public DiffPipeline(
        PresenceOptions options,
        IPresenceFetcher? fetcher,
        IPresenceDiffPublisher? publisher,
        TimeProvider time,
        ILogger log,
        PresenceMetrics? metrics)
    {
        _rules = [.. options.Coalescing];
        _maxConcurrentFetches = options.MaxConcurrentFetches;
        _fetcher = fetcher;
        _publisher = publisher;
        _time = time;
        _log = log;
        _metrics = metrics;
        _gate = new DiffRateGate(options.AdaptiveCoalescingBurst, options.AdaptiveCoalescingInterval, options.AdaptiveCoalescingMaxFramesPerSecond);
        _started = time.GetTimestamp();
        _dispatcher = Task.Run(DispatchAsync);
    }

    /// <summary>
    /// Runs on the shard's loop: route each topic's part of the diff to its window, or straight to the queue when the
    /// topic has no rule and its <see cref="DiffRateGate"/> lets it through.
    /// </summary>
    public void OnDiff(TrackerDiff diff)
    {
        if (_publisher is null)
        {
            return;
        }

        foreach (var (topic, changes) in GroupByTopic(diff))
        {
            lock (_windows)
            {
                if (_windows.TryGetValue(topic, out var open))
                {
                    Add(open, changes);
                    continue;
                }

                var window = WindowFor(topic) ?? _gate.OnDiff(topic, Now(), AudienceOf(topic));
                if (window is not { } dueIn)
                {
                    _jobs.Writer.TryWrite(new DiffJob(topic, changes.Joins, changes.Leaves));
                    continue;
                }

                open = new CoalescingWindow();
                _windows[topic] = open;
                open.Timer = _time.CreateTimer(
                    static state =>
                    {
                        var (pipeline, topic) = ((DiffPipeline, string))state!;
                        pipeline.Flush(topic);
                    },
                    (this, topic),
                    dueIn,
                    Timeout.InfiniteTimeSpan);
                Add(open, changes);
            }
        }
    }

    /// <summary>Runs on the shard's loop right after a read of <paramref name="topic"/>.</summary>
    public void OnRead(string topic)
    {
        lock (_windows)
        {
            if (_windows.TryGetValue(topic, out var open))
            {
                open.MarkRead();
            }
        }
    }

    /// <summary>Stops dispatching: open windows are dropped, running fetches are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_windows)
        {
            foreach (var window in _windows.Values)
            {
                window.Timer?.Dispose();
            }

            _windows.Clear();
            _jobs.Writer.TryComplete();
        }

        await _stopping.CancelAsync();
        await _dispatcher;
        _stopping.Dispose();
    }

    private void Flush(string topic)
    {
        lock (_windows)
        {
            if (!_windows.Remove(topic, out var window))
            {
                return;
            }

            window.Timer?.Dispose();
            _gate.OnWindowClosed(topic, Now());
            var (joins, leaves) = window.Reduce();
            if (joins.Count > 0 || leaves.Count > 0)
            {
                _jobs.Writer.TryWrite(new DiffJob(topic, joins, leaves));
            }
        }
    }

    private static void Add(CoalescingWindow window, (List<TrackerElement> Joins, List<TrackerElement> Leaves) changes)
    {
        foreach (var left in changes.Leaves)
        {
            window.Leave(left);
        }

        foreach (var joined in changes.Joins)
        {
            window.Join(joined);
        }
    }

    private TimeSpan Now() => _time.GetElapsedTime(_started);

    private int AudienceOf(string topic) => _publisher?.AudienceOf(topic) ?? 0;

    private TimeSpan? WindowFor(string topic)
    {
        foreach (var rule in _rules)
        {
            if (rule.Matches(topic))
            {
                return rule.Window;
            }
        }

        return null;
    }

    private static Dictionary<string, (List<TrackerElement> Joins, List<TrackerElement> Leaves)> GroupByTopic(TrackerDiff diff)
    {
        var topics = new Dictionary<string, (List<TrackerElement> Joins, List<TrackerElement> Leaves)>(StringComparer.Ordinal);
        foreach (var joined in diff.Joins)
        {
            For(joined.Topic).Joins.Add(joined);
        }

        foreach (var left in diff.Leaves)
        {
            For(left.Topic).Leaves.Add(left);
        }

        return topics;

        (List<TrackerElement> Joins, List<TrackerElement> Leaves) For(string topic)
        {
            if (!topics.TryGetValue(topic, out var changes))
            {
                changes = ([], []);
                topics[topic] = changes;
            }

            return changes;
        }
    }

    private async Task DispatchAsync()
    {
        var reader = _jobs.Reader;
        var inFlight = new Queue<Task<PresenceDiff>>();
        while (true)
        {
            while (inFlight.Count < _maxConcurrentFetches && reader.TryRead(out var job))
            {
                inFlight.Enqueue(Prepare(job));
            }

            if (inFlight.Count == 0)
            {
                if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            Publish(await inFlight.Dequeue().ConfigureAwait(false));
        }
    }

    /// <summary>Builds the diff and starts its fetches; the task never faults (a failed fetch leaves the extras out).</summary>
    private Task<PresenceDiff> Prepare(DiffJob job)
    {
        var diff = new PresenceDiff(job.Topic, PresenceMap.From(job.Joins), PresenceMap.From(job.Leaves));
        if (_fetcher is null)
        {
            return Task.FromResult(diff);
        }

        var fetcher = _fetcher;
        var token = _stopping.Token;
        return Task.Run(async () =>
        {
            try
            {
                if (diff.Joins.Count > 0)
                {
                    await fetcher.FetchAsync(diff.Topic, diff.Joins, token).ConfigureAwait(false);
                }

                if (diff.Leaves.Count > 0)
                {
                    await fetcher.FetchAsync(diff.Topic, diff.Leaves, token).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                if (!token.IsCancellationRequested)
                {
                    _log.FetchFailed(diff.Topic, e);
                }
            }

            return diff;
        });
    }

    private void Publish(PresenceDiff diff)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            _publisher!.Publish(diff);
            _metrics?.Diffs.Add(1);
        }
        catch (Exception e)
        {
            _log.PublishFailed(diff.Topic, e);
        }
    }

    private sealed record DiffJob(string Topic, IReadOnlyList<TrackerElement> Joins, IReadOnlyList<TrackerElement> Leaves);
}
