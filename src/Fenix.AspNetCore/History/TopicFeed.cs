using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Channels;
using Fenix.AspNetCore.Transports;
using Fenix.PubSub;
using Fenix.PubSub.History;

namespace Fenix.AspNetCore.History;

/// <summary>Where a feed stood when a channel attached or seeded it: every message after <see cref="Through"/> (of <see cref="Epoch"/>) reaches the channel.</summary>
internal readonly record struct FeedMark(bool Seeded, string? Epoch, long Through);

/// <summary>
/// A history topic on this node: the one PubSub subscriber of the topic, which hands its messages to the topic's
/// channels in position order (<see cref="TopicSequencer{T}"/>), fills holes from the store, and tells the channels
/// when messages were lost. Other messages of the topic (presence diffs, local broadcasts, broadcasts that got no
/// position) pass straight through.
/// </summary>
/// <remarks>
/// The sequencer, the channel list and the outbox are under the feed's lock; items leave the outbox in order through one
/// drainer at a time, outside the lock (delivering to a channel is a queue operation, never user code).
/// </remarks>
internal sealed class TopicFeed : ISubscriber
{
    private readonly HistoryService _service;
    private readonly Lock _lock = new();
    private readonly TopicSequencer<BroadcastMessage> _sequencer;

    /// <summary>What to hand on, in order, each with the channels attached when it was sequenced.</summary>
    private readonly Queue<FeedItem> _outbox = new();

    /// <summary>The attached channels (replaced, never mutated: items keep the array they were sequenced for).</summary>
    private ChannelServer[] _channels = [];

    private bool _draining;
    private bool _subscribed;

    /// <summary>Set when the last channel left: the feed takes nothing more (joins create a new one).</summary>
    private bool _closed;

    /// <summary>Wakes the sequencer (reorder window); created on first use.</summary>
    private ITimer? _timer;

    public TopicFeed(HistoryService service, string topic, HistoryTopic rule)
    {
        _service = service;
        Topic = topic;
        Rule = rule;
        _sequencer = new TopicSequencer<BroadcastMessage>(service.Options.ReorderWindow, service.Options.MaxHeldMessages);
    }

    public string Topic { get; }

    public HistoryTopic Rule { get; }

    /// <summary>Where the feed stands (for tests and diagnostics).</summary>
    public FeedMark Mark
    {
        get
        {
            lock (_lock)
            {
                return new FeedMark(_sequencer.IsSeeded, _sequencer.Epoch, _sequencer.Through);
            }
        }
    }

    public int ChannelCount => Volatile.Read(ref _channels).Length;

    /// <summary>Adds a channel; false when the feed closed (the caller takes a new one). <paramref name="mark"/>: where the feed stands now.</summary>
    public bool TryAttach(ChannelServer channel, out FeedMark mark)
    {
        lock (_lock)
        {
            mark = new FeedMark(_sequencer.IsSeeded, _sequencer.Epoch, _sequencer.Through);
            if (_closed)
            {
                return false;
            }

            _channels = [.. _channels, channel];
            if (!_subscribed)
            {
                _subscribed = true;
                _service.PubSub.Subscribe(Topic, this); // before the channel reads the store: nothing published after the read is missed
            }

            return true;
        }
    }

    /// <summary>
    /// A recovery read found the stream at <paramref name="top"/> of <paramref name="epoch"/>. The first read seeds the
    /// feed; returns where the feed started (a channel attached before that receives everything after it).
    /// </summary>
    public FeedMark Seed(string? epoch, long top)
    {
        FeedMark mark;
        (string Epoch, long After, int Count)? fetch;
        lock (_lock)
        {
            var (seededEpoch, seedThrough, step) = _sequencer.Seed(epoch, top, NowMs());
            mark = new FeedMark(true, seededEpoch, seedThrough);
            fetch = Apply(step);
        }

        Drain();
        StartFetch(fetch);
        return mark;
    }

    public void Detach(ChannelServer channel)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_channels, channel);
            if (index < 0)
            {
                return;
            }

            _channels = [.. _channels[..index], .. _channels[(index + 1)..]];
            if (_channels.Length > 0 || _closed)
            {
                return;
            }

            _closed = true;
            _timer?.Dispose();
        }

        _service.PubSub.Unsubscribe(Topic, this);
        _service.FeedClosed(this);
    }

    /// <summary>PubSub delivery (any thread): positioned broadcasts go through the sequencer, anything else straight on.</summary>
    public void Deliver(string topic, object message)
    {
        (string Epoch, long After, int Count)? fetch;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            if (message is BroadcastMessage { Position: { } position } positioned && topic == Topic)
            {
                fetch = Apply(_sequencer.Arrive(position, positioned, NowMs()));
            }
            else
            {
                _outbox.Enqueue(new FeedItem(SequencedKind.Message, message, _channels));
                fetch = null;
            }
        }

        Drain();
        StartFetch(fetch);
    }

    private long NowMs() => _service.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Under the lock: queues the step's output for the channels attached now, sets the timer; returns the store read to start.</summary>
    private (string Epoch, long After, int Count)? Apply(SequencerStep<BroadcastMessage> step)
    {
        foreach (var (kind, offset, item) in step.Output)
        {
            if (kind == SequencedKind.Gap)
            {
                _service.Log.Gap(Topic, _sequencer.Through + 1, _sequencer.Epoch, "missing from the store or a new epoch", _channels.Length);
                _service.Metrics.Gaps.Add(1, new KeyValuePair<string, object?>("outcome", "lost"));
            }

            _outbox.Enqueue(new FeedItem(kind, item, _channels));
        }

        if (step.WakeAtMs is { } wakeAt && !_closed)
        {
            var due = TimeSpan.FromMilliseconds(Math.Max(0, wakeAt - NowMs()));
            _timer ??= _service.Time.CreateTimer(static state => ((TopicFeed)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }

        return step.Fetch;
    }

    private void OnTimer()
    {
        (string Epoch, long After, int Count)? fetch;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            fetch = Apply(_sequencer.Tick(NowMs()));
        }

        Drain();
        StartFetch(fetch);
    }

    private void StartFetch((string Epoch, long After, int Count)? fetch)
    {
        if (fetch is { } read)
        {
            _ = FetchAsync(read.Epoch, read.After, read.Count);
        }
    }

    /// <summary>Reads missing messages from the store and hands them to the sequencer (which turns what it cannot get into a gap).</summary>
    private async Task FetchAsync(string epoch, long after, int count)
    {
        List<(long Offset, BroadcastMessage Item)>? entries = null;
        try
        {
            var slice = await _service.Store.ReadAsync(Topic, HistoryQuery.After(epoch, after, count));
            entries = slice.Epoch == epoch
                ? slice.Entries.Select(e => (e.Offset, HistoryService.Decode(Topic, epoch, e))).ToList()
                : [];
            if (entries.Count > 0)
            {
                _service.Log.GapFilled(Topic, entries.Count, after);
                _service.Metrics.Gaps.Add(entries.Count, new KeyValuePair<string, object?>("outcome", "filled"));
            }
        }
        catch (Exception e)
        {
            _service.Log.ReadFailed(Topic, e);
        }

        (string Epoch, long After, int Count)? next;
        lock (_lock)
        {
            var step = entries is null ? _sequencer.FillFailed(NowMs()) : _sequencer.Filled(epoch, entries, NowMs());
            next = _closed ? null : Apply(step);
        }

        Drain();
        StartFetch(next);
    }

    /// <summary>Hands the outbox on in order; one drainer at a time, outside the lock.</summary>
    private void Drain()
    {
        lock (_lock)
        {
            if (_draining || _outbox.Count == 0)
            {
                return;
            }

            _draining = true;
        }

        using var batch = WriterBatch.Begin();
        while (true)
        {
            FeedItem item;
            lock (_lock)
            {
                if (!_outbox.TryDequeue(out item))
                {
                    _draining = false;
                    return;
                }
            }

            var excluded = (item.Message as BroadcastMessage)?.Excluded;
            foreach (var channel in item.Channels)
            {
                if (item.Kind == SequencedKind.Gap)
                {
                    channel.HistoryGap();
                }
                else if (!ReferenceEquals(channel, excluded))
                {
                    channel.Deliver(Topic, item.Message);
                }
            }
        }
    }

    private readonly record struct FeedItem(SequencedKind Kind, object Message, ChannelServer[] Channels);
}
