namespace Fenix.PubSub.History;

/// <summary>
/// The history store of a single node: a ring of entries per topic, bounded per topic by <see cref="HistoryLimits"/>
/// and in total by a byte budget. When the budget is exceeded the oldest entries of all topics go first (counted in
/// <see cref="Evictions"/>); a topic idle for longer than the retention loses its stream, and so its epoch. A new
/// process starts new epochs, so positions from before a restart are never taken for positions after it.
/// </summary>
/// <remarks>One lock guards everything; every operation under it is O(1) amortized except reads, which copy at most the entries asked for.</remarks>
public sealed class InMemoryHistoryStore : IHistoryStore
{
    /// <summary>What an entry costs beyond its bytes (its object and queue slots), counted against the budget.</summary>
    internal const int EntryOverheadBytes = 64;

    /// <summary>What a topic's stream costs beyond its entries and name, counted against the budget.</summary>
    internal const int StreamOverheadBytes = 160;

    private readonly Lock _lock = new();
    private readonly long _maxBytes;
    private readonly long _retentionMs;
    private readonly TimeProvider _time;

    /// <summary>Streams by topic; a stream is here exactly while it is in <see cref="_idleOrder"/>.</summary>
    private readonly Dictionary<string, TopicStream> _streams = new(StringComparer.Ordinal);

    /// <summary>Streams, least recently appended first.</summary>
    private readonly LinkedList<TopicStream> _idleOrder = new();

    /// <summary>Every live entry in append order across topics, plus entries already removed from their stream (skipped when they reach the head).</summary>
    private readonly Queue<StoredEntry> _appendOrder = new();

    /// <summary>Entries still in a stream (the others in <see cref="_appendOrder"/> are dead).</summary>
    private long _liveEntries;

    private long _bytes;
    private long _evictions;

    /// <param name="maxBytes">The budget for all entries and streams of this node.</param>
    /// <param name="retention">How long an idle topic keeps its stream (its epoch and offset); at least every topic's ttl.</param>
    public InMemoryHistoryStore(long maxBytes, TimeSpan retention, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.FromSeconds(1));
        _maxBytes = maxBytes;
        _retentionMs = (long)retention.TotalMilliseconds;
        _time = time ?? TimeProvider.System;
    }

    public bool IsShared => false;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Bytes held (entries, topic names and per-item overheads).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Entries removed to stay within the byte budget (not those beyond a topic's size or ttl).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Topics that have a stream.</summary>
    internal int StreamCount
    {
        get
        {
            lock (_lock)
            {
                return _streams.Count;
            }
        }
    }

    public ValueTask<HistoryPosition> AppendAsync(string topic, ReadOnlyMemory<byte> data, HistoryLimits limits, bool newEpoch, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Append(topic, data, limits, newEpoch));

    public ValueTask<HistoryPosition> StartEpochAsync(string topic, HistoryLimits limits, bool force, CancellationToken cancellationToken = default)
    {
        var now = NowMs();
        lock (_lock)
        {
            var stream = StreamFor(topic, now, newEpoch: force);
            return ValueTask.FromResult(new HistoryPosition(stream.Epoch, stream.Top));
        }
    }

    public ValueTask<HistorySlice> ReadAsync(string topic, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(topic, query));

    /// <summary>Appends and returns the position (synchronously: nothing here waits).</summary>
    internal HistoryPosition Append(string topic, ReadOnlyMemory<byte> data, HistoryLimits limits, bool newEpoch = false)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var now = NowMs();
        var bytes = data.ToArray(); // the caller's buffer may be reused
        lock (_lock)
        {
            var stream = StreamFor(topic, now, newEpoch);
            var entry = new StoredEntry(stream, ++stream.Top, now, bytes);
            stream.Entries.Add(entry);
            _appendOrder.Enqueue(entry);
            _liveEntries++;
            _bytes += entry.Size;
            Trim(stream, limits, now);
            EvictToBudget(stream);
            RemoveIdleStreams(now);
            CompactAppendOrder();
            return new HistoryPosition(stream.Epoch, entry.Offset);
        }
    }

    /// <summary>Reads synchronously (see <see cref="IHistoryStore.ReadAsync"/>).</summary>
    internal HistorySlice Read(string topic, HistoryQuery query)
    {
        var now = NowMs();
        lock (_lock)
        {
            if (!_streams.TryGetValue(topic, out var stream))
            {
                return HistorySlice.Empty(now);
            }

            var entries = stream.Entries;
            if (query.CanReadSince(stream.Epoch, stream.Top))
            {
                var first = entries.Count == 0 ? stream.Top + 1 : entries[0].Offset;
                var from = (int)Math.Max(0, query.Since!.Value.Offset + 1 - first);
                var to = (int)(query.SinceEnd(stream.Top) + 1 - first);
                return new HistorySlice(stream.Epoch, stream.Top, now, HistorySliceKind.Since, Copy(entries, from, Math.Max(from, to)));
            }

            if (query.Last > 0)
            {
                var count = Math.Min(Math.Min(query.Last, query.MaxCount), entries.Count);
                return new HistorySlice(stream.Epoch, stream.Top, now, HistorySliceKind.Last, Copy(entries, entries.Count - count, entries.Count));
            }

            return new HistorySlice(stream.Epoch, stream.Top, now, HistorySliceKind.None, []);
        }
    }

    private static HistoryEntry[] Copy(EntryRing entries, int from, int to)
    {
        var copy = new HistoryEntry[to - from];
        for (var i = 0; i < copy.Length; i++)
        {
            var entry = entries[from + i];
            copy[i] = new HistoryEntry(entry.Offset, entry.TimestampMs, entry.Data);
        }

        return copy;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The topic's stream, created (or restarted) in a new epoch when needed, and marked as just used.</summary>
    private TopicStream StreamFor(string topic, long now, bool newEpoch)
    {
        if (_streams.TryGetValue(topic, out var stream))
        {
            if (newEpoch)
            {
                RemoveEntries(stream, stream.Entries.Count);
                stream.Epoch = NextEpoch(now, stream.Epoch);
                stream.Top = 0;
            }

            _idleOrder.Remove(stream.IdleNode);
        }
        else
        {
            stream = new TopicStream(topic, NextEpoch(now, null));
            _streams[topic] = stream;
            _bytes += stream.Size;
        }

        stream.LastAppendMs = now;
        _idleOrder.AddLast(stream.IdleNode);
        return stream;
    }

    /// <summary>A new epoch that sorts after <paramref name="previous"/> even if the clock went back.</summary>
    private static string NextEpoch(long now, string? previous)
    {
        var epoch = HistoryEpoch.New(now);
        while (previous is not null && HistoryEpoch.Compare(epoch, previous) <= 0)
        {
            now += 1;
            epoch = HistoryEpoch.New(now);
        }

        return epoch;
    }

    /// <summary>Drops the stream's oldest entries beyond its size or older than its ttl.</summary>
    private void Trim(TopicStream stream, HistoryLimits limits, long now)
    {
        var excess = stream.Entries.Count - limits.Size;
        var oldest = now - (long)limits.Ttl.TotalMilliseconds;
        var count = Math.Max(0, excess);
        while (count < stream.Entries.Count && stream.Entries[count].TimestampMs < oldest)
        {
            count++;
        }

        RemoveEntries(stream, count);
    }

    /// <summary>Removes the oldest entries of all topics (then idle streams) until the budget holds; never the stream in use.</summary>
    private void EvictToBudget(TopicStream current)
    {
        while (_bytes > _maxBytes)
        {
            if (_appendOrder.TryDequeue(out var entry))
            {
                if (entry.Removed)
                {
                    continue;
                }

                RemoveEntries(entry.Stream, 1); // the oldest live entry overall is the oldest of its stream
                _evictions++;
                continue;
            }

            if (_idleOrder.First?.Value is not { } idle || idle == current)
            {
                return; // only the stream being appended to is left: it stays, over budget by its name at most
            }

            RemoveStream(idle);
        }
    }

    private void RemoveIdleStreams(long now)
    {
        while (_idleOrder.First?.Value is { } idle && idle.LastAppendMs < now - _retentionMs)
        {
            RemoveStream(idle);
        }
    }

    private void RemoveStream(TopicStream stream)
    {
        RemoveEntries(stream, stream.Entries.Count);
        _idleOrder.Remove(stream.IdleNode);
        _streams.Remove(stream.Topic);
        _bytes -= stream.Size;
    }

    private void RemoveEntries(TopicStream stream, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var entry = stream.Entries.RemoveFirst();
            entry.Removed = true;
            _liveEntries--;
            _bytes -= entry.Size;
        }
    }

    /// <summary>Keeps the dead entries of <see cref="_appendOrder"/> from outgrowing the live ones (a hot topic trimmed by size, say).</summary>
    private void CompactAppendOrder()
    {
        if (_appendOrder.Count < 1024 || _appendOrder.Count < 2 * _liveEntries)
        {
            return;
        }

        var live = _appendOrder.Where(e => !e.Removed).ToArray();
        _appendOrder.Clear();
        foreach (var entry in live)
        {
            _appendOrder.Enqueue(entry);
        }
    }

    private sealed class TopicStream
    {
        public TopicStream(string topic, string epoch)
        {
            Topic = topic;
            Epoch = epoch;
            IdleNode = new LinkedListNode<TopicStream>(this);
            Size = StreamOverheadBytes + (topic.Length * 2);
        }

        public string Topic { get; }

        public string Epoch { get; set; }

        /// <summary>The offset of the last message appended in this epoch (0 before the first).</summary>
        public long Top { get; set; }

        public long LastAppendMs { get; set; }

        public EntryRing Entries { get; } = new();

        public LinkedListNode<TopicStream> IdleNode { get; }

        public long Size { get; }
    }

    private sealed class StoredEntry(TopicStream stream, long offset, long timestampMs, byte[] data)
    {
        public TopicStream Stream { get; } = stream;

        public long Offset { get; } = offset;

        public long TimestampMs { get; } = timestampMs;

        public byte[] Data { get; } = data;

        public long Size => Data.Length + EntryOverheadBytes;

        /// <summary>Set once the entry left its stream; it is then skipped by eviction.</summary>
        public bool Removed { get; set; }
    }

    /// <summary>A growable circular buffer with indexed access: the entries of one stream, oldest first.</summary>
    private sealed class EntryRing
    {
        private StoredEntry[] _items = new StoredEntry[4];
        private int _head;

        public int Count { get; private set; }

        public StoredEntry this[int index] => _items[(_head + index) % _items.Length];

        public void Add(StoredEntry entry)
        {
            if (Count == _items.Length)
            {
                var grown = new StoredEntry[_items.Length * 2];
                for (var i = 0; i < Count; i++)
                {
                    grown[i] = this[i];
                }

                _items = grown;
                _head = 0;
            }

            _items[(_head + Count) % _items.Length] = entry;
            Count++;
        }

        public StoredEntry RemoveFirst()
        {
            var entry = _items[_head];
            _items[_head] = null!;
            _head = (_head + 1) % _items.Length;
            Count--;
            if (Count == 0)
            {
                _head = 0;
                if (_items.Length > 64)
                {
                    _items = new StoredEntry[4]; // let a burst's large array go
                }
            }

            return entry;
        }
    }
}
