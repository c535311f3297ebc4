namespace Fenix.Client.Internal;

/// <summary>
/// A one-shot timer whose callback runs on the dispatcher loop. Scheduling and cancelling happen on the loop;
/// an expiry that was already queued when the timer was cancelled or rescheduled is ignored.
/// </summary>
internal sealed class LoopTimer(Dispatcher dispatcher, TimeProvider time, Action callback)
{
    private ITimer? _timer;

    /// <summary>Incremented by every schedule and cancel; an expiry only fires for the generation that armed it.</summary>
    private long _generation;

    public bool IsScheduled => _timer is not null;

    public void Schedule(TimeSpan due)
    {
        Cancel();
        var generation = _generation;
        _timer = time.CreateTimer(
            _ => dispatcher.Post(() => Fire(generation)), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    public void Cancel()
    {
        _generation++;
        _timer?.Dispose();
        _timer = null;
    }

    private void Fire(long generation)
    {
        if (generation != _generation)
        {
            return;
        }

        _timer?.Dispose();
        _timer = null;
        callback();
    }
}
