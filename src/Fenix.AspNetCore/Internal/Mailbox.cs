namespace Fenix.AspNetCore.Internal;

/// <summary>
/// A process mailbox without a parked task: messages are handled one at a time, in order, by a drain that is
/// scheduled on the thread pool only while there is work. An idle actor costs an object —
/// no queue, no task, no buffer — which is what lets a server hold a hundred thousand idle channels. It locks on itself
/// (it is internal, nobody else can) rather than on a lock object of its own: one object less per channel.
/// </summary>
internal abstract class Mailbox<TMessage> : IThreadPoolWorkItem
{
    /// <summary>Pending messages; created by a post to an idle mailbox and dropped when the drain finds it empty.</summary>
    private Queue<TMessage>? _queue;

    /// <summary>True while a drain is scheduled or running (or a poster handles its claimed message); only that drain dequeues.</summary>
    private bool _draining;

    /// <summary>
    /// The thread pool's default execution context, taken by the first drain the pool ran: a claimed message is handled
    /// in it, as a drain would, not in the poster's (e.g. an HTTP request's). Null until then (no claims before).
    /// </summary>
    private static ExecutionContext? s_drainContext;

    /// <summary>Messages waiting (not counting the one being handled).</summary>
    protected int PendingCount
    {
        get
        {
            lock (this)
            {
                return _queue?.Count ?? 0;
            }
        }
    }

    /// <summary>Where drains run (the thread pool, or a test's deterministic scheduler).</summary>
    protected abstract WorkScheduler Scheduler { get; }

    /// <summary>Queues <paramref name="message"/>; returns the number now pending.</summary>
    protected int Post(TMessage message)
    {
        int count;
        lock (this)
        {
            var queue = _queue ??= new Queue<TMessage>(2);
            queue.Enqueue(message);
            count = queue.Count;
            if (_draining)
            {
                return count;
            }

            _draining = true;
        }

        Scheduler.Schedule(this);
        return count;
    }

    /// <summary>
    /// Queues <paramref name="message"/> as <see cref="Post"/> does, except when the mailbox is idle and the scheduler
    /// allows it: then the message is not queued and the caller takes the drain role, which it must pass on by calling
    /// <see cref="RunClaimed"/> with the message (outside its own locks). This saves the thread-pool hop (a work item and a
    /// wake-up) for a message that nothing is waiting before; order holds because whatever is posted meanwhile is queued
    /// behind the drain the caller holds.
    /// </summary>
    protected bool PostOrClaim(TMessage message)
    {
        if (s_drainContext is null || !Scheduler.AllowsClaim || ExecutionContext.IsFlowSuppressed())
        {
            Post(message);
            return false;
        }

        lock (this)
        {
            if (_draining)
            {
                (_queue ??= new Queue<TMessage>(2)).Enqueue(message);
                return false;
            }

            _draining = true; // not draining means nothing is queued: this message is next
        }

        return true;
    }

    /// <summary>
    /// Handles a message claimed with <see cref="PostOrClaim"/> on this thread, in the drains' execution context. If it
    /// completes at once, what was posted meanwhile goes to the scheduler (this thread does not stay to drain it); if it
    /// waits, the rest of it runs as a drain would.
    /// </summary>
    protected void RunClaimed(TMessage message)
    {
        var caller = ExecutionContext.Capture()!; // not suppressed: PostOrClaim checked
        ExecutionContext.Restore(s_drainContext!);
        try
        {
            _ = RunClaimedAsync(message);
        }
        finally
        {
            ExecutionContext.Restore(caller);
        }
    }

    /// <summary>Handles one message. Exceptions are passed to <see cref="OnHandlerFault"/>, and the drain goes on.</summary>
    protected abstract ValueTask HandleAsync(TMessage message);

    protected abstract void OnHandlerFault(TMessage message, Exception exception);

    /// <summary>Removes and returns what is pending without handling it.</summary>
    protected List<TMessage> DrainPending()
    {
        lock (this)
        {
            var pending = _queue is null ? [] : new List<TMessage>(_queue);
            _queue = null;
            return pending;
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        if (s_drainContext is null && Scheduler.AllowsClaim)
        {
            s_drainContext = ExecutionContext.Capture(); // the pool runs work items in its default context
        }

        _ = RunAsync();
    }

    private async Task RunClaimedAsync(TMessage message)
    {
        try
        {
            await HandleAsync(message);
        }
        catch (Exception e)
        {
            OnHandlerFault(message, e);
        }

        lock (this)
        {
            if (_queue is null || _queue.Count == 0)
            {
                _draining = false;
                _queue = null;
                return;
            }
        }

        Scheduler.Schedule(this);
    }

    private async Task RunAsync()
    {
        var budget = Scheduler.MessagesPerDrain;
        while (true)
        {
            TMessage message;
            lock (this)
            {
                if (_queue is null || !_queue.TryDequeue(out message!))
                {
                    _draining = false;
                    _queue = null; // an idle actor holds no queue (and a burst's large array goes with it)

                    return;
                }
            }

            try
            {
                await HandleAsync(message);
            }
            catch (Exception e)
            {
                OnHandlerFault(message, e);
            }

            if (--budget == 0)
            {
                Scheduler.Schedule(this); // still draining: the next step goes on where this one stopped
                return;
            }
        }
    }
}
