using Fenix.Protocol;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>
/// One item waiting to be written: a data frame's bytes, or a control frame. A composite frame's payload is
/// <see cref="Data"/> followed by <see cref="Rest"/> (a shared payload and this frame's tail), one WebSocket frame.
/// </summary>
internal readonly record struct OutboundItem(ReadOnlyMemory<byte> Data, WebSocketOpcode Opcode, SharedFrameRest? Rest = null)
{
    /// <summary>The frame's payload length, all parts.</summary>
    public int Length => Data.Length + (Rest?.Length ?? 0);
}

/// <summary>
/// The frames waiting for one connection's writer, bounded in bytes. Any thread may enqueue; only the writer
/// dequeues. <see cref="TryEnqueue"/> reports whether the caller must start the writer, so exactly one runs.
/// Every frame but the close frame counts with its size on the wire (header included), so that pongs to a client
/// that pings without reading are bounded like data. Locks on itself (internal: nobody else can), and borrows its
/// overflow queue from a shared pool only during bursts.
/// </summary>
internal sealed class OutboundQueue(long maxBytes)
{
    /// <summary>The oldest item, kept outside <see cref="_items"/> so the usual single pending frame needs no queue at all.</summary>
    private OutboundItem _head;

    private bool _hasHead;

    /// <summary>Items after <see cref="_head"/>, in order; borrowed from <see cref="QueuePool"/> when two are pending and given back when drained.</summary>
    private Queue<OutboundItem>? _items;

    /// <summary>Wire bytes of the frames enqueued and not yet taken by the writer (close frames excepted).</summary>
    private long _bytes;

    /// <summary>True while a writer runs; it clears this only when it found the queue empty.</summary>
    private bool _writing;

    /// <summary>No more frames are accepted but a close frame (closing or closed).</summary>
    private bool _sealed;

    /// <summary>Completed when the writer releases its role or the queue is cleared; created only when someone waits.</summary>
    private TaskCompletionSource? _idle;

    /// <summary>Set by <see cref="Clear"/>: the connection is abandoned, nobody waits for its writer any more.</summary>
    private bool _cleared;

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

    /// <summary>
    /// Adds an item. Returns Rejected after <see cref="Seal"/> (unless <paramref name="afterSeal"/>, for the close frame),
    /// Overflow when over the byte bound (nothing added).
    /// </summary>
    public EnqueueResult TryEnqueue(OutboundItem item, bool afterSeal = false)
    {
        lock (this)
        {
            if (_sealed && !afterSeal)
            {
                return EnqueueResult.Rejected;
            }

            if (item.Opcode != WebSocketOpcode.Close)
            {
                // One frame larger than the bound still goes to a client that has nothing queued.
                var size = WireSize(item);
                if (_bytes > 0 && _bytes + size > maxBytes)
                {
                    return EnqueueResult.Overflow;
                }

                _bytes += size;
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
        TaskCompletionSource? idle;
        lock (this)
        {
            if (TryTake(out item))
            {
                return true;
            }

            if (!releaseIfEmpty)
            {
                return false;
            }

            idle = ReleaseRole();
        }

        idle?.TrySetResult();
        return false;
    }

    /// <summary>
    /// For the writer (inline or queued) that has nothing unflushed: releases the writer role if nothing is queued and
    /// returns true; returns false, keeping the role, when items wait (the caller must go on writing them).
    /// </summary>
    public bool ReleaseIfEmpty()
    {
        TaskCompletionSource? idle;
        lock (this)
        {
            if (_hasHead || _items is { Count: > 0 })
            {
                return false;
            }

            idle = ReleaseRole();
        }

        idle?.TrySetResult();
        return true;
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

    /// <summary>Completes when no writer runs (at once if none does), or once the queue was cleared.</summary>
    public Task WhenIdle()
    {
        lock (this)
        {
            return _writing && !_cleared ? (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
        }
    }

    /// <summary>Drops everything (the connection is gone); a writer still running drains nothing more.</summary>
    public void Clear()
    {
        TaskCompletionSource? idle;
        lock (this)
        {
            _sealed = true;
            _cleared = true;
            _items?.Clear();
            _items = null;
            _head = default;
            _hasHead = false;
            _bytes = 0;
            idle = _idle;
            _idle = null;
        }

        idle?.TrySetResult();
    }

    /// <summary>Gives up the writer role (under the lock, queue empty); returns who waits for that, to complete outside the lock.</summary>
    private TaskCompletionSource? ReleaseRole()
    {
        if (_items is not null)
        {
            QueuePool.Return(_items);
            _items = null;
        }

        _writing = false;
        var idle = _idle;
        _idle = null;
        return idle;
    }

    /// <summary>Takes the oldest item, if any (under the lock).</summary>
    private bool TryTake(out OutboundItem item)
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
            return false;
        }

        if (item.Opcode != WebSocketOpcode.Close)
        {
            _bytes -= WireSize(item);
        }

        return true;
    }

    /// <summary>What a frame costs on the wire: its payload and its (unmasked) server header.</summary>
    internal static long WireSize(in OutboundItem item)
    {
        var length = item.Length;
        return length + (length <= 125 ? 2 : length <= ushort.MaxValue ? 4 : 10);
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
