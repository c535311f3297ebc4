namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>One item waiting to be written: a data frame's bytes, or a control frame.</summary>
internal readonly record struct OutboundItem(ReadOnlyMemory<byte> Data, WebSocketOpcode Opcode);

/// <summary>
/// The frames waiting for one connection's writer, bounded in bytes. Any thread may enqueue; only the writer
/// dequeues. <see cref="TryEnqueue"/> reports whether the caller must start the writer, so exactly one runs.
/// </summary>
internal sealed class OutboundQueue(long maxBytes)
{
    private readonly Lock _lock = new();

    /// <summary>The oldest item, kept outside <see cref="_items"/> so the usual single pending frame needs no queue at all.</summary>
    private OutboundItem _head;

    private bool _hasHead;

    /// <summary>Items after <see cref="_head"/>, in order; created when two are pending, dropped when a burst left it large.</summary>
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
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Adds an item. Returns Rejected after <see cref="Seal"/>, Overflow when over the byte bound (nothing added).</summary>
    public EnqueueResult TryEnqueue(OutboundItem item, bool afterSeal = false)
    {
        lock (_lock)
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
                (_items ??= new Queue<OutboundItem>(4)).Enqueue(item);
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
        lock (_lock)
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
        lock (_lock)
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

                if (_items is not null && _items.EnsureCapacity(0) > 16)
                {
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
            lock (_lock)
            {
                return _writing;
            }
        }
    }

    /// <summary>Drops everything (the connection is gone).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _sealed = true;
            _items = null;
            _head = default;
            _hasHead = false;
            _bytes = 0;
        }
    }
}

internal enum EnqueueResult
{
    Queued,
    StartWriter,
    Rejected,
    Overflow,
}
