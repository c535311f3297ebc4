using System.Collections.Concurrent;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>
/// Which topics this node wants to receive (the desired state, changed by PubSub without blocking) and which changes
/// the binder loop still has to apply to the broker. Changes are coalesced: a topic that is subscribed and unsubscribed
/// before the binder looks costs nothing. A deactivated topic stays bound for <c>unbindDelay</c>.
/// </summary>
internal sealed class TopicBindings(TimeProvider time, TimeSpan unbindDelay)
{
    private readonly Lock _lock = new();

    /// <summary>Topics with local subscribers. Written by PubSub (under its per-topic lock), read by anyone.</summary>
    private readonly ConcurrentDictionary<string, byte> _active = new(StringComparer.Ordinal);

    /// <summary>Deactivated topics and when their binding may go, in (nearly) due order; only the binder dequeues.</summary>
    private readonly ConcurrentQueue<(string Topic, long Due)> _lingering = new();

    /// <summary>Topics whose desired state changed since the binder last took them; under <see cref="_lock"/>.</summary>
    private HashSet<string> _dirty = new(StringComparer.Ordinal);

    /// <summary>Counts the changes that must reach the broker before a flush completes; under <see cref="_lock"/>.</summary>
    private long _requested;

    /// <summary>The last <see cref="_requested"/> value known applied on the broker; under <see cref="_lock"/>.</summary>
    private long _applied;

    /// <summary>Flushes waiting for <see cref="_applied"/> to reach their target; under <see cref="_lock"/>.</summary>
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];

    /// <summary>Completed (and replaced) whenever there is new work for the binder; under <see cref="_lock"/>.</summary>
    private TaskCompletionSource _changed = NewSignal();

    public int ActiveCount => _active.Count;

    public bool IsActive(string topic) => _active.ContainsKey(topic);

    /// <summary>The first local subscriber of <paramref name="topic"/> arrived.</summary>
    public void Activate(string topic)
    {
        _active[topic] = 0;
        MarkDirty(topic, counts: true);
    }

    /// <summary>The last local subscriber of <paramref name="topic"/> left: unbind after the delay (if still inactive then).</summary>
    public void Deactivate(string topic)
    {
        _active.TryRemove(topic, out _);
        if (unbindDelay <= TimeSpan.Zero)
        {
            MarkDirty(topic, counts: true);
            return;
        }

        _lingering.Enqueue((topic, time.GetTimestamp()));
        Signal(); // a binder waiting for changes only must now also wait for this entry's due time
    }

    /// <summary>The active topics now, and the change count they reflect (read first, so every counted change is in the copy).</summary>
    public (List<string> Topics, long Generation) Snapshot()
    {
        long generation;
        lock (_lock)
        {
            generation = _requested;
        }

        return ([.. _active.Keys], generation);
    }

    /// <summary>Takes the changed topics (and the lingering ones now due) with the change count they cover.</summary>
    public (HashSet<string> Topics, long Generation) TakeChanges()
    {
        var now = time.GetTimestamp();
        while (_lingering.TryPeek(out var head) && time.GetElapsedTime(head.Due, now) >= unbindDelay)
        {
            _lingering.TryDequeue(out _);
            MarkDirty(head.Topic, counts: false);
        }

        lock (_lock)
        {
            var taken = _dirty;
            _dirty = new HashSet<string>(StringComparer.Ordinal);
            return (taken, _requested);
        }
    }

    /// <summary>Puts back topics the binder could not apply in this round.</summary>
    public void Requeue(IEnumerable<string> topics)
    {
        lock (_lock)
        {
            _dirty.UnionWith(topics);
        }
    }

    /// <summary>Completes when there is work, or when the next lingering topic is due (at once if it is).</summary>
    public async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        Task changed;
        lock (_lock)
        {
            if (_dirty.Count > 0)
            {
                return;
            }

            changed = _changed.Task;
        }

        if (!_lingering.TryPeek(out var head))
        {
            await changed.WaitAsync(cancellationToken);
            return;
        }

        var left = unbindDelay - time.GetElapsedTime(head.Due);
        if (left <= TimeSpan.Zero)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(changed, Task.Delay(left, time, stop.Token));
        await stop.CancelAsync(); // the timer goes with the wait
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The broker now reflects every change counted up to <paramref name="generation"/>.</summary>
    public void MarkApplied(long generation)
    {
        List<TaskCompletionSource>? done = null;
        lock (_lock)
        {
            if (generation <= _applied)
            {
                return;
            }

            _applied = generation;
            for (var i = _flushes.Count - 1; i >= 0; i--)
            {
                if (_flushes[i].Target <= generation)
                {
                    (done ??= []).Add(_flushes[i].Done);
                    _flushes.RemoveAt(i);
                }
            }
        }

        done?.ForEach(d => d.TrySetResult());
    }

    /// <summary>Completes once every topic change made before the call is applied on the broker (lingering unbinds excepted).</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_applied >= _requested)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushes.Add((_requested, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private void MarkDirty(string topic, bool counts)
    {
        lock (_lock)
        {
            _dirty.Add(topic);
            if (counts)
            {
                _requested++;
            }
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
