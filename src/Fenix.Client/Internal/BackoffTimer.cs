namespace Fenix.Client.Internal;

/// <summary>A retry timer with a delay per attempt (phoenix.js's Timer): each expiry counts one try until <see cref="Reset"/>.</summary>
internal sealed class BackoffTimer
{
    private readonly LoopTimer _timer;
    private readonly Func<int, TimeSpan> _delay;
    private readonly Action _callback;

    public BackoffTimer(Dispatcher dispatcher, TimeProvider time, Func<int, TimeSpan> delay, Action callback)
    {
        _delay = delay;
        _callback = callback;
        _timer = new LoopTimer(dispatcher, time, Fire);
    }

    /// <summary>Expiries so far since the last reset.</summary>
    public int Tries { get; private set; }

    public bool IsScheduled => _timer.IsScheduled;

    /// <summary>Cancels any pending expiry and schedules the next one after the delay for the next try; returns that delay.</summary>
    public TimeSpan ScheduleTimeout()
    {
        var delay = _delay(Tries + 1);
        _timer.Schedule(delay);
        return delay;
    }

    /// <summary>Cancels and starts the schedule over.</summary>
    public void Reset()
    {
        Tries = 0;
        _timer.Cancel();
    }

    /// <summary>Cancels a pending expiry but keeps the count, so the next schedule continues the backoff.</summary>
    public void Cancel() => _timer.Cancel();

    private void Fire()
    {
        Tries++;
        _callback();
    }
}
