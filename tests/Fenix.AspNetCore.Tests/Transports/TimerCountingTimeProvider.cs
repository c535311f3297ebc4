using Microsoft.Extensions.Time.Testing;

namespace Fenix.AspNetCore.Tests.Transports;

/// <summary>A <see cref="FakeTimeProvider"/> that also counts the timers created and not yet disposed.</summary>
internal sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _live;
    private int _created;

    /// <summary>Timers created and not disposed.</summary>
    public int LiveTimers => Volatile.Read(ref _live);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _live);
        List<TaskCompletionSource> reached = [];
        lock (_lock)
        {
            _created++;
            reached.AddRange(_waiters.Where(w => w.Count <= _created).Select(w => w.Reached));
            _waiters.RemoveAll(w => w.Count <= _created);
        }

        reached.ForEach(source => source.TrySetResult());
        return new CountedTimer(this, timer);
    }

    /// <summary>Completes once <paramref name="count"/> timers were created in all (a barrier: the code under test armed its timeout).</summary>
    public Task WaitForTimersCreatedAsync(int count)
    {
        lock (_lock)
        {
            if (_created >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task.WaitAsync(Patience.Default);
        }
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner, ITimer inner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._live);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
