namespace Fenix.Presence.Tests.Support;

/// <summary>
/// A clock that only moves when the test says so. Timers fire synchronously inside <see cref="Advance"/>, in due order,
/// each at its own due time, so a test can walk through minutes of gossip in milliseconds without any flakiness.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _utcNow = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _utcNow;
        }
    }

    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _ticks;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward by <paramref name="delta"/>, firing every timer that comes due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        long target;
        lock (_lock)
        {
            target = _ticks + delta.Ticks;
        }

        while (true)
        {
            ManualTimer? due = null;
            lock (_lock)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueTicks <= target && (due is null || timer.DueTicks < due.DueTicks))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _utcNow += TimeSpan.FromTicks(target - _ticks);
                    _ticks = target;
                    return;
                }

                if (due.DueTicks > _ticks)
                {
                    _utcNow += TimeSpan.FromTicks(due.DueTicks - _ticks);
                    _ticks = due.DueTicks;
                }

                if (due.PeriodTicks > 0)
                {
                    due.DueTicks += due.PeriodTicks;
                }
                else
                {
                    _timers.Remove(due);
                }
            }

            due.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long DueTicks { get; set; }

        public long PeriodTicks { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                DueTicks = owner._ticks + Math.Max(0, dueTime.Ticks);
                PeriodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                owner._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
