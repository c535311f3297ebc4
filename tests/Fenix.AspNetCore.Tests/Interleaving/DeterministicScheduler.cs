using Fenix.AspNetCore.Internal;

namespace Fenix.AspNetCore.Tests.Interleaving;

/// <summary>
/// Runs Fenix's concurrent parts one step at a time on the test's thread, in an order a seed chooses: mailbox drains
/// (one message per step), and every continuation of an <c>await</c> inside them (they resume through this scheduler's
/// synchronization context). The same seed gives the same interleaving, so a failing one replays exactly.
/// </summary>
internal sealed class DeterministicScheduler : WorkScheduler
{
    private readonly List<Action> _ready = [];
    private readonly Random _random;
    private readonly Context _context;

    public DeterministicScheduler(int seed)
    {
        _random = new Random(seed);
        _context = new Context(this);
    }

    public override int MessagesPerDrain => 1;

    public bool IsIdle => _ready.Count == 0;

    public int Steps { get; private set; }

    public override void Schedule(IThreadPoolWorkItem work) => _ready.Add(work.Execute);

    /// <summary>Runs <paramref name="action"/> now, as one step, under this scheduler's context.</summary>
    public void Run(Action action)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_context);
        try
        {
            Steps++;
            action();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Runs one ready step chosen by the seed; false when nothing is ready.</summary>
    public bool Step()
    {
        if (_ready.Count == 0)
        {
            return false;
        }

        var index = _random.Next(_ready.Count);
        var step = _ready[index];
        _ready.RemoveAt(index);
        Run(step);
        return true;
    }

    /// <summary>Runs steps until nothing is ready (or <paramref name="limit"/> steps: then something spins).</summary>
    public bool RunToIdle(int limit = 100_000)
    {
        for (var i = 0; i < limit; i++)
        {
            if (!Step())
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Context(DeterministicScheduler scheduler) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => scheduler._ready.Add(() => d(state));

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("Nothing in Fenix blocks on a context.");

        public override SynchronizationContext CreateCopy() => this;
    }
}

/// <summary>Time that never moves: timers never fire (grace periods and windows never elapse inside a run).</summary>
internal sealed class FrozenTime : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override long GetTimestamp() => 0;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverTimer();

    private sealed class NeverTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
