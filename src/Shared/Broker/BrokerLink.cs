namespace Fenix.PubSub.Broker;

/// <summary>
/// Whether an adapter is linked to its broker, as its supervisor last said, with the tasks callers wait on: the first
/// link (start-up waits for it, bounded), and "linked now" (tests and health wait for it). Disposal ends both.
/// Invariant: once closed, nothing links again and every wait for a link fails with <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class BrokerLink(string adapterName)
{
    private readonly Lock _lock = new();

    /// <summary>Completed when the adapter first links (or is closed).</summary>
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True while linked: only then are messages for other nodes queued. Written under <see cref="_lock"/>.</summary>
    private volatile bool _isUp;

    /// <summary>Completed while linked; replaced by a pending one when the link is lost. Under <see cref="_lock"/>.</summary>
    private TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set once, by <see cref="Close"/>. Under <see cref="_lock"/>.</summary>
    private bool _closed;

    public bool IsUp => _isUp;

    /// <summary>Completes when the adapter first links, or is closed.</summary>
    public Task FirstLink => _first.Task;

    /// <summary>Why a message for other nodes is dropped while not linked: before the first link it is expected.</summary>
    public string DropReason => Volatile.Read(ref _closed) ? "stopped" : _first.Task.IsCompleted ? "disconnected" : DropReporter.Starting;

    /// <summary>The supervisor's verdict: linked (confirmed by the broker) or not.</summary>
    public void Set(bool up)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _isUp = up;
            if (up)
            {
                _up.TrySetResult();
                _first.TrySetResult();
            }
            else if (_up.Task.IsCompleted)
            {
                _up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Completes when linked (at once if linked now).</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        Task up;
        lock (_lock)
        {
            up = _up.Task;
        }

        return up.WaitAsync(cancellationToken);
    }

    /// <summary>The adapter is being disposed: unlinked for good; start-up stops waiting, link waiters fail.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _isUp = false;
            _up.TrySetException(new ObjectDisposedException(adapterName));
        }

        _first.TrySetResult();
    }
}
