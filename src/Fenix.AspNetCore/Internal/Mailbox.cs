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

    /// <summary>True while a drain is scheduled or running; only that drain dequeues.</summary>
    private bool _draining;

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

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

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
