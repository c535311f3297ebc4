using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Transports;
using Fenix.PubSub;
using Fenix.PubSub.History;

namespace Fenix.AspNetCore.History;

/// <summary>
/// The ordered path of one history topic's broadcasts from this node to the store and on: each broadcast is appended
/// (the store gives it its position), then published with it, in the order the broadcasts were made. The caller never
/// waits: appends are issued one after the other without awaiting (the store numbers them in that order) and published
/// as their answers come back, oldest first.
/// </summary>
/// <remarks>
/// <para>When an append fails (the store is unreachable) its broadcast is published live without a position, and the
/// topic is <i>dirty</i>: answers still in flight are published without positions too, and the next append (or, if
/// none comes, a repair from <see cref="HistoryService"/>) starts a new epoch, so that no client recovers across the
/// messages that only went out live.</para>
/// <para>One issuer and one completer at a time (whoever finds the role free takes it); the queues are under the lock,
/// and no store call or publish is made under it.</para>
/// </remarks>
internal sealed class AppendPipeline(HistoryService service, string topic, HistoryTopic rule)
{
    private readonly Lock _lock = new();

    /// <summary>Appends not issued yet, in call order.</summary>
    private readonly Queue<PendingAppend> _toIssue = new();

    /// <summary>Appends issued and not published yet, in issue order (the order the store numbers them).</summary>
    private readonly Queue<PendingAppend> _inFlight = new();

    private bool _issuing;
    private bool _completing;

    /// <summary>Some broadcast went out without a position since the epoch began: the next append starts a new epoch.</summary>
    private bool _dirty;

    /// <summary>An append that starts a new epoch is queued or in flight.</summary>
    private bool _bumpInFlight;

    /// <summary>Set by the service's sweep once idle; a retired pipeline takes nothing more (the caller gets a new one).</summary>
    private bool _retired;

    /// <summary>Set on every publish, cleared by the sweep: a pipeline is retired only after a sweep period without use.</summary>
    private bool _touched = true;

    public string Topic { get; } = topic;

    public bool IsDirty
    {
        get
        {
            lock (_lock)
            {
                return _dirty;
            }
        }
    }

    /// <summary>Queues a broadcast; false when this pipeline was retired (ask the service for the topic's current one).</summary>
    public bool TryPublish(Broadcast broadcast, byte[] data, ISubscriber? excluded)
    {
        var append = new PendingAppend(broadcast, data, excluded);
        lock (_lock)
        {
            if (_retired)
            {
                return false;
            }

            _touched = true;
            _toIssue.Enqueue(append);
            if (_issuing)
            {
                return true;
            }

            _issuing = true;
        }

        Issue();
        return true;
    }

    /// <summary>A dirty topic with nothing queued starts its new epoch now (the service calls this until it worked).</summary>
    public void Repair()
    {
        lock (_lock)
        {
            if (!_dirty || _bumpInFlight || _retired)
            {
                return;
            }

            _bumpInFlight = true;
            _toIssue.Enqueue(PendingAppend.Bump());
            if (_issuing)
            {
                return;
            }

            _issuing = true;
        }

        Issue();
    }

    /// <summary>Retires the pipeline when it was idle and clean for a whole sweep period; true when retired.</summary>
    public bool TryRetire()
    {
        lock (_lock)
        {
            if (_touched || _dirty || _issuing || _completing || _toIssue.Count > 0 || _inFlight.Count > 0)
            {
                _touched = false;
                return false;
            }

            _retired = true;
            return true;
        }
    }

    private void Issue()
    {
        var store = service.Store;
        while (true)
        {
            PendingAppend append;
            lock (_lock)
            {
                if (!_toIssue.TryDequeue(out append!))
                {
                    _issuing = false;
                    break;
                }

                if (!append.IsBump && _dirty && !_bumpInFlight)
                {
                    append.NewEpoch = true;
                    _bumpInFlight = true;
                }

                _inFlight.Enqueue(append);
            }

            append.Start(store, Topic, rule.Limits, this);
        }

        Complete();
    }

    /// <summary>Publishes the answered appends at the head of the queue, in order (one completer at a time).</summary>
    internal void Complete()
    {
        lock (_lock)
        {
            if (_completing)
            {
                return;
            }

            _completing = true;
        }

        List<(PendingAppend Append, HistoryPosition? Position)>? ready = null;
        while (true)
        {
            lock (_lock)
            {
                while (_inFlight.TryPeek(out var head) && head.IsDone)
                {
                    _inFlight.Dequeue();
                    var position = Decide(head);
                    if (!head.IsBump)
                    {
                        (ready ??= []).Add((head, position));
                    }
                }

                if (ready is null or { Count: 0 })
                {
                    _completing = false;
                    return;
                }
            }

            Publish(ready);
            ready.Clear();
        }
    }

    /// <summary>Under the lock: what an answered append means for the topic, and the position to publish with (null: none).</summary>
    private HistoryPosition? Decide(PendingAppend append)
    {
        service.ReleasePending(append.Size);
        if (append.NewEpoch || append.IsBump)
        {
            _bumpInFlight = false;
        }

        if (append.Failure is { } failure)
        {
            if (!_dirty)
            {
                _dirty = true;
                service.BecameDirty(this, failure);
            }

            return null;
        }

        if (append.NewEpoch || append.IsBump)
        {
            if (_dirty)
            {
                service.EpochRestarted(Topic, append.Epoch!);
            }

            _dirty = false;
        }

        return _dirty || append.IsBump ? null : append.Position;
    }

    private void Publish(List<(PendingAppend Append, HistoryPosition? Position)> ready)
    {
        using var batch = WriterBatch.Begin();
        foreach (var (append, position) in ready)
        {
            service.PublishPositioned(Topic, new BroadcastMessage(append.Broadcast, position, append.Excluded));
        }
    }

    /// <summary>One broadcast on its way to the store (or a bump: a new epoch without a message).</summary>
    private sealed class PendingAppend(Broadcast broadcast, byte[] data, ISubscriber? excluded)
    {
        public Broadcast Broadcast { get; } = broadcast;

        public ISubscriber? Excluded { get; } = excluded;

        public bool IsBump { get; private init; }

        /// <summary>Set by the issuer before the store sees it.</summary>
        public bool NewEpoch { get; set; }

        /// <summary>Set (with <see cref="Position"/> or <see cref="Failure"/>) under the pipeline's lock, or before the append is completed.</summary>
        public bool IsDone { get; private set; }

        public HistoryPosition? Position { get; private set; }

        /// <summary>The epoch a bump started.</summary>
        public string? Epoch { get; private set; }

        public string? Failure { get; private set; }

        public long Size => data.Length + 64;

        public static PendingAppend Bump() => new(null!, [], null) { IsBump = true };

        /// <summary>Issues the append; when its answer is already there it is recorded now, else when it comes (then the pipeline completes).</summary>
        public void Start(IHistoryStore store, string topic, HistoryLimits limits, AppendPipeline pipeline)
        {
            try
            {
                if (IsBump)
                {
                    var bump = store.StartEpochAsync(topic, limits, force: true);
                    if (bump.IsCompletedSuccessfully)
                    {
                        Succeeded(null, bump.Result.Epoch);
                        return;
                    }

                    _ = AwaitBumpAsync(bump.AsTask(), pipeline);
                    return;
                }

                var append = store.AppendAsync(topic, data, limits, NewEpoch);
                if (append.IsCompletedSuccessfully)
                {
                    var position = append.Result;
                    Succeeded(position, position.Epoch);
                    return;
                }

                _ = AwaitAppendAsync(append.AsTask(), pipeline);
            }
            catch (Exception e)
            {
                Failed(e);
            }
        }

        private async Task AwaitAppendAsync(Task<HistoryPosition> append, AppendPipeline pipeline)
        {
            try
            {
                var position = await append;
                lock (pipeline._lock)
                {
                    Succeeded(position, position.Epoch);
                }
            }
            catch (Exception e)
            {
                lock (pipeline._lock)
                {
                    Failed(e);
                }
            }

            pipeline.Complete();
        }

        private async Task AwaitBumpAsync(Task<HistoryPosition> bump, AppendPipeline pipeline)
        {
            try
            {
                var epoch = (await bump).Epoch;
                lock (pipeline._lock)
                {
                    Succeeded(null, epoch);
                }
            }
            catch (Exception e)
            {
                lock (pipeline._lock)
                {
                    Failed(e);
                }
            }

            pipeline.Complete();
        }

        private void Succeeded(HistoryPosition? position, string epoch)
        {
            Position = position;
            Epoch = epoch;
            IsDone = true;
        }

        private void Failed(Exception e)
        {
            Failure = $"{e.GetType().Name}: {e.Message}";
            IsDone = true;
        }
    }
}
