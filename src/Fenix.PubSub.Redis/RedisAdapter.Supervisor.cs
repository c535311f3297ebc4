using Fenix.PubSub.Redis.Diagnostics;
using Fenix.PubSub.Redis.Internal;
using StackExchange.Redis;

namespace Fenix.PubSub.Redis;

/// <summary>
/// The supervisor: the one loop that owns the node's link state. The client reconnects and resubscribes by itself; the
/// supervisor decides when the node counts as in the cluster — only once a probe it publishes to itself came back
/// through the cluster channel, which proves publishing and the subscription both work — and when it is out again (a
/// connection failure, or a periodic probe that does not come back).
/// </summary>
public sealed partial class RedisAdapter
{
    /// <summary>How often a node that is not connected looks at the client's state (besides the client's events).</summary>
    private static readonly TimeSpan ReconnectPoll = TimeSpan.FromMilliseconds(200);

    private readonly Lock _wakeLock = new();

    /// <summary>Completed (and replaced) to wake the supervisor: a connection event, an echoed probe, stopping. Under <see cref="_wakeLock"/>.</summary>
    private TaskCompletionSource _wake = NewSignal();

    /// <summary>Connection failures reported by the client; the supervisor compares it with the value it last saw.</summary>
    private int _failures;

    /// <summary>Why the connection last failed (client event), for the log line; any thread writes, the supervisor reads.</summary>
    private volatile string _lastFailure = "not connected yet";

    /// <summary>The highest sequence number of this process's probes that came back; written by the receive loop.</summary>
    private long _echoedProbe;

    /// <summary>Timestamp of the last duplicate-name log line, so that a misconfiguration logs once a minute, not per probe.</summary>
    private long _duplicateReportedAt;

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        if (await ConnectAsync(stopping) is not { } multiplexer)
        {
            return; // stopping
        }

        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        _multiplexer = multiplexer;
        try
        {
            await RunLinkAsync(multiplexer, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            _link.Set(false);
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            await multiplexer.CloseAsync(allowCommandsToComplete: false);
            await multiplexer.DisposeAsync();
        }
    }

    /// <summary>
    /// Creates the client. It does not give up on an unreachable Redis (it retries in the background), so this only
    /// fails on what retrying cannot fix at once (e.g. a name that does not resolve yet): then it logs and tries again.
    /// </summary>
    private async Task<ConnectionMultiplexer?> ConnectAsync(CancellationToken stopping)
    {
        for (var attempt = 0; !stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                return await ConnectionMultiplexer.ConnectAsync(_configuration);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                _lastFailure = e.GetBaseException().Message;
                _log.CannotReach(Endpoint, _lastFailure);
                var delay = TimeSpan.FromMilliseconds(Math.Min(Options.ReconnectDelayMin.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)), Options.ReconnectDelayMax.TotalMilliseconds));
                try
                {
                    await Task.Delay(delay, _time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }

        return null;
    }

    /// <summary>Feeds the link's state machine what the client shows, and carries out what it decides.</summary>
    private async Task RunLinkAsync(ConnectionMultiplexer multiplexer, CancellationToken stopping)
    {
        var link = new LinkMonitor(Options.ProbeInterval, Options.ProbeTimeout, ReconnectPoll);
        var started = _time.GetTimestamp();
        var lostAt = started;
        var everConnected = false;
        var reportedUnreachable = false;
        while (!stopping.IsCancellationRequested)
        {
            var wake = WakeTask(); // before observing: a change after the observation wakes the wait below
            var now = _time.GetElapsedTime(started);
            var seen = new LinkObservation(now, multiplexer.IsConnected, _subscription is not null, Volatile.Read(ref _failures), Volatile.Read(ref _echoedProbe));
            switch (link.Step(seen))
            {
                case LinkAction.Subscribe:
                    if (await EnsureSubscribedAsync(multiplexer, stopping))
                    {
                        continue;
                    }

                    break;

                case LinkAction.SendProbe:
                    if (link.Phase == LinkPhase.Confirming && link.Attempts % 10 == 0)
                    {
                        _log.ProbePending(Endpoint, ChannelName, link.Attempts);
                    }

                    SendProbe(multiplexer, link.Probe);
                    continue;

                case LinkAction.Joined:
                    Joined(everConnected, lostAt);
                    (everConnected, reportedUnreachable) = (true, false);
                    continue;

                case LinkAction.Lost:
                    lostAt = Lost(link.LostReason ?? _lastFailure);
                    continue;

                default:
                    if (link.Phase == LinkPhase.Connecting && !reportedUnreachable && _time.GetElapsedTime(lostAt) >= Options.StartupTimeout)
                    {
                        _log.CannotReach(Endpoint, _lastFailure); // once per outage: the client keeps retrying quietly
                        reportedUnreachable = true;
                    }

                    break;
            }

            await WaitAsync(wake, link.NextCheck - _time.GetElapsedTime(started), stopping);
        }
    }

    /// <summary>Subscribes the cluster channel once (the client resubscribes after reconnecting) and starts the receive loop.</summary>
    private async Task<bool> EnsureSubscribedAsync(ConnectionMultiplexer multiplexer, CancellationToken stopping)
    {
        if (_subscription is not null)
        {
            return true;
        }

        try
        {
            _subscription = await multiplexer.GetSubscriber().SubscribeAsync(_channel);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _lastFailure = e.Message;
            return false;
        }

        var subscription = _subscription;
        _receiver = Task.Run(() => ReceiveLoopAsync(subscription, stopping), CancellationToken.None);
        return true;
    }

    /// <summary>Publishes probe <paramref name="sequence"/> to this node through the cluster channel; a failure shows as no echo.</summary>
    private void SendProbe(ConnectionMultiplexer multiplexer, long sequence)
    {
        try
        {
            _ = multiplexer.GetSubscriber().PublishAsync(_channel, RedisEnvelope.Probe(NodeName, _instance, sequence))
                .ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _lastFailure = e.Message;
        }
    }

    private void Joined(bool everConnected, long lostAt)
    {
        Interlocked.Increment(ref _epoch);
        if (everConnected)
        {
            _metrics.Reconnected();
            _drops.Flush("Redis unreachable");
            _log.Reconnected(NodeName, Endpoint, _time.GetElapsedTime(lostAt));
        }
        else
        {
            _log.Connected(NodeName, Endpoint, ChannelName);
        }

        _link.Set(true); // after the log line: start-up, which waits for the first link, returns after it
    }

    /// <summary>Leaves the cluster: from now on messages for other nodes are dropped until the node is confirmed again.</summary>
    private long Lost(string reason)
    {
        _link.Set(false);
        _log.ConnectionLost(Endpoint, reason);
        return _time.GetTimestamp();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        _lastFailure = $"{e.ConnectionType} connection: {e.FailureType} ({e.Exception?.GetBaseException().Message ?? "no detail"})";
        Interlocked.Increment(ref _failures);
        Wake();
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => Wake();

    /// <summary>A probe of this node's name came back: ours (an echo), or another process's (a duplicate name).</summary>
    private void OnProbe(Guid instance, long sequence)
    {
        if (instance == _instance)
        {
            if (sequence > Volatile.Read(ref _echoedProbe))
            {
                Volatile.Write(ref _echoedProbe, sequence);
                Wake();
            }

            return;
        }

        var last = Volatile.Read(ref _duplicateReportedAt);
        if ((last == 0 || _time.GetElapsedTime(last) >= TimeSpan.FromMinutes(1)) && Interlocked.CompareExchange(ref _duplicateReportedAt, _time.GetTimestamp(), last) == last)
        {
            _log.DuplicateNodeName(NodeName, ChannelName);
        }
    }

    private void Wake()
    {
        TaskCompletionSource wake;
        lock (_wakeLock)
        {
            wake = _wake;
            _wake = NewSignal();
        }

        wake.TrySetResult();
    }

    private Task WakeTask()
    {
        lock (_wakeLock)
        {
            return _wake.Task;
        }
    }

    /// <summary>Waits for <paramref name="wake"/> or <paramref name="timeout"/>, whichever comes first (the timer goes with the wait).</summary>
    private async Task WaitAsync(Task wake, TimeSpan timeout, CancellationToken stopping)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await Task.WhenAny(wake, Task.Delay(timeout, _time, timer.Token));
        await timer.CancelAsync();
        stopping.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
