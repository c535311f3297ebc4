namespace Fenix.AspNetCore.Internal;

/// <summary>
/// Where mailboxes run their drains. The default is the thread pool; the interleaving tests substitute a deterministic
/// scheduler that runs one message per step in an order chosen by a seed.
/// </summary>
internal abstract class WorkScheduler
{
    /// <summary>The thread pool: drains handle every pending message in one go.</summary>
    public static WorkScheduler ThreadPool { get; } = new ThreadPoolScheduler();

    /// <summary>Most messages one drain handles before it yields (int.MaxValue: until the mailbox is empty).</summary>
    public virtual int MessagesPerDrain => int.MaxValue;

    /// <summary>
    /// Whether a poster may handle a message itself when the mailbox is idle (<see cref="Mailbox{TMessage}.PostOrClaim"/>);
    /// false keeps every step under the scheduler's control.
    /// </summary>
    public virtual bool AllowsClaim => false;

    public abstract void Schedule(IThreadPoolWorkItem work);

    private sealed class ThreadPoolScheduler : WorkScheduler
    {
        public override bool AllowsClaim => true;

        public override void Schedule(IThreadPoolWorkItem work) => System.Threading.ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
    }
}
