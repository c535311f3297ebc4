using System.Collections;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// A list that the server's threads add to while a test reads it: OpenTelemetry's in-memory exporter adds exported
/// items to the collection it was given without a lock, and a plain <see cref="List{T}"/> read meanwhile throws or
/// sees a torn resize. Every member takes the list's own lock; enumeration works on a snapshot.
/// </summary>
public sealed class LockedList<T> : ICollection<T>
{
    /// <summary>Guarded by <c>this</c>.</summary>
    private readonly List<T> _items = [];

    public int Count
    {
        get
        {
            lock (this)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(T item)
    {
        lock (this)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (this)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (this)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (this)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (this)
        {
            return _items.Remove(item);
        }
    }

    /// <summary>The items as they are now.</summary>
    public List<T> Snapshot()
    {
        lock (this)
        {
            return [.. _items];
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
