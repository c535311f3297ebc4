namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>One item waiting to be written: a data frame's bytes, or a control frame.</summary>
internal readonly record struct OutboundItem(ReadOnlyMemory<byte> Data, WebSocketOpcode Opcode);

/// <summary>
/// The frames waiting for one connection's writer, bounded in bytes. Any thread may enqueue; only the writer
/// dequeues. <see cref="TryEnqueue"/> reports whether the caller must start the writer, so exactly one runs.
/// Locks on itself (internal: nobody else can), and borrows its overflow queue from a shared pool only during bursts.
/// </summary>
internal sealed class OutboundQueue(long maxBytes)
{
    /// <summary>The oldest item, kept outside <see cref="_items"/> so the usual single pending frame needs no queue at all.</summary>
    private OutboundItem _head;

    private bool _hasHead;

    /// <summary>Items after <see cref="_head"/>, in order; borrowed from <see cref="QueuePool"/> when two are pending and given back when drained.</summary>
    private Queue<OutboundItem>? _items;

    /// <summary>Bytes of data frames enqueued and not yet written.</summary>
    private long _bytes;

    /// <summary>True while a writer runs; it clears this only when it found the queue empty.</summary>
    private bool _writing;

    /// <summary>No more data frames are accepted (closing or closed).</summary>
    private bool _sealed;

    public long QueuedBytes
    {
        get
        {
            lock (this)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Adds an item. Returns Rejected after <see cref="Seal"/>, Overflow when over the byte bound (nothing added).</summary>
    public EnqueueResult TryEnqueue(OutboundItem item, bool afterSeal = false)
    {
        lock (this)
        {
            if (_sealed && !afterSeal)
            {
                return EnqueueResult.Rejected;
            }

            if (item.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary)
            {
                // One frame larger than the bound still goes to a client that has nothing queued.
                if (_bytes > 0 && _bytes + item.Data.Length > maxBytes)
                {
                    return EnqueueResult.Overflow;
                }

                _bytes += item.Data.Length;
            }

            if (!_hasHead && (_items is null || _items.Count == 0))
            {
                _head = item;
                _hasHead = true;
            }
            else
            {
                (_items ??= QueuePool.Rent()).Enqueue(item);
            }

            if (_writing)
            {
                return EnqueueResult.Queued;
            }

            _writing = true;
            return EnqueueResult.StartWriter;
        }
    }

    /// <summary>Stops accepting data frames; returns false if already sealed.</summary>
    public bool Seal()
    {
        lock (this)
        {
            if (_sealed)
            {
                return false;
            }

            _sealed = true;
            return true;
        }
    }

    /// <summary>
    /// Takes the next item for the writer. When empty: false, and if <paramref name="releaseIfEmpty"/> the writer role is
    /// released (the writer must stop). A writer holding unflushed bytes passes false, flushes, then asks again.
    /// </summary>
    public bool TryDequeue(out OutboundItem item, bool releaseIfEmpty = true)
    {
        lock (this)
        {
            if (_hasHead)
            {
                item = _head;
                _head = default;
                _hasHead = false;
            }
            else if (_items is null || !_items.TryDequeue(out item))
            {
                item = default;
                if (!releaseIfEmpty)
                {
                    return false;
                }

                if (_items is not null)
                {
                    QueuePool.Return(_items);
                    _items = null;
                }

                _writing = false;
                return false;
            }

            if (item.Opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary)
            {
                _bytes -= item.Data.Length;
            }

            return true;
        }
    }

    /// <summary>Whether anything is queued or being written.</summary>
    public bool IsBusy
    {
        get
        {
            lock (this)
            {
                return _writing;
            }
        }
    }

    /// <summary>Drops everything (the connection is gone).</summary>
    public void Clear()
    {
        lock (this)
        {
            _sealed = true;
            _items?.Clear();
            _items = null;
            _head = default;
            _hasHead = false;
            _bytes = 0;
        }
    }
}

/// <summary>
/// Overflow queues shared by all connections: a burst borrows one, an idle connection holds none, and a queue that grew
/// during one burst is reused by the next instead of being grown again from scratch.
/// </summary>
internal static class QueuePool
{
    private const int MaxPooled = 1024;
    private const int MaxPooledCapacity = 4096;

    private static readonly System.Collections.Concurrent.ConcurrentQueue<Queue<OutboundItem>> Pool = new();
    private static int s_count;

    public static Queue<OutboundItem> Rent()
    {
        if (Pool.TryDequeue(out var queue))
        {
            Interlocked.Decrement(ref s_count);
            return queue;
        }

        return new Queue<OutboundItem>(16);
    }

    /// <summary>Takes back an empty queue (dropped instead when the pool is full or the queue grew huge).</summary>
    public static void Return(Queue<OutboundItem> queue)
    {
        if (queue.EnsureCapacity(0) > MaxPooledCapacity)
        {
            return;
        }

        if (Interlocked.Increment(ref s_count) > MaxPooled)
        {
            Interlocked.Decrement(ref s_count);
            return;
        }

        Pool.Enqueue(queue);
    }
}

internal enum EnqueueResult
{
    Queued,
    StartWriter,
    Rejected,
    Overflow,
}
