namespace Fenix.Presence.Tests.Support;

/// <summary>Records every published diff, in order, and lets a test wait for one.</summary>
internal sealed class RecordingPublisher : IPresenceDiffPublisher
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly List<PresenceDiff> _diffs = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<PresenceDiff> Diffs
    {
        get
        {
            lock (_lock)
            {
                return [.. _diffs];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _diffs.Count;
            }
        }
    }

    public void Publish(PresenceDiff diff)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _diffs.Add(diff);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Waits (real time, generous) until some diff published after index <paramref name="from"/> matches.</summary>
    public async Task<PresenceDiff> WaitForAsync(Func<PresenceDiff, bool> match, int from = 0, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                for (var i = from; i < _diffs.Count; i++)
                {
                    if (match(_diffs[i]))
                    {
                        return _diffs[i];
                    }
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching diff among: {string.Join(" | ", Diffs.Select(d => $"{d.Topic} {d}"))}");
            }
        }
    }

    /// <summary>Waits until every diff queued so far has been published: tracks a sentinel on <paramref name="topic"/> and waits for its join.</summary>
    public async Task DrainAsync(PresenceTracker tracker, string topic = "sentinel")
    {
        var from = Count;
        var key = Guid.NewGuid().ToString("N");
        await tracker.TrackAsync(topic, key, new { });
        await WaitForAsync(d => d.Topic == topic && d.Joins.ContainsKey(key), from);
        await tracker.UntrackAsync(topic, key);
        await WaitForAsync(d => d.Topic == topic && d.Leaves.ContainsKey(key), from);
    }
}
