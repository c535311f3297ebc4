namespace Fenix.Testing;

/// <summary>
/// Received items that assertions take out by predicate (like a process mailbox with selective receive):
/// items that do not match stay for later assertions.
/// </summary>
internal sealed class Inbox<T>
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private readonly List<T> _history = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Everything ever received, in order (assertions do not remove from it).</summary>
    public IReadOnlyList<T> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _history];
            }
        }
    }

    public void Add(T item)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _items.Add(item);
            _history.Add(item);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Removes and returns the first item matching <paramref name="match"/>, waiting up to <paramref name="timeout"/>; null if none came.</summary>
    public async Task<T?> TakeAsync(Func<T, bool> match, TimeSpan timeout)
    {
        // Assertion timeouts are wall-clock time on purpose: they bound how long a test waits, whatever clock the server uses.
        var clock = TimeProvider.System;
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var index = _items.FindIndex(item => match(item));
                if (index >= 0)
                {
                    var item = _items[index];
                    _items.RemoveAt(index);
                    return item;
                }

                changed = _changed.Task;
            }

            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return default;
            }

            await Task.WhenAny(changed, Task.Delay(left, clock));
        }
    }

    /// <summary>The items received before <paramref name="barrier"/> (the same instance) that no assertion has taken.</summary>
    public IReadOnlyList<T> UntakenBefore(T barrier)
    {
        lock (_lock)
        {
            var end = _history.FindIndex(item => ReferenceEquals(item, barrier));
            var before = new HashSet<object?>((end < 0 ? _history : _history.Take(end)).Select(item => (object?)item), ReferenceEqualityComparer.Instance);
            return [.. _items.Where(item => before.Contains(item))];
        }
    }

    /// <summary>What is waiting (not yet taken), for failure messages.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            return _items.Count == 0 ? "nothing" : string.Join("\n  ", _items);
        }
    }
}
