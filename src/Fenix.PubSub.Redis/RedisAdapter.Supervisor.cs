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

    /// <summary>The link states; only the supervisor moves between them.</summary>
    private enum LinkState
    {
        /// <summary>The client is not connected (or not subscribed yet): nothing is sent to other nodes.</summary>
        Connecting,

        /// <summary>The client is connected and subscribed; a probe is on its way to confirm the path end to end.</summary>
        Confirming,

        /// <summary>In the cluster: messages for other nodes are published; a probe checks the path every interval.</summary>
        Connected,
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration);
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
            SetConnected(false);
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            await multiplexer.CloseAsync(allowCommandsToComplete: false);
            await multiplexer.DisposeAsync();
        }
    }

    private async Task RunLinkAsync(ConnectionMultiplexer multiplexer, CancellationToken stopping)
    {
        var state = LinkState.Connecting;
        var seenFailures = Volatile.Read(ref _failures);
        var everConnected = false;
        var reportedUnreachable = false;
        var startedAt = _time.GetTimestamp();
        var lostAt = startedAt;
        long probe = 0;
        var probeSentAt = 0L;
        var probeOutstanding = false;
        var attempts = 0;
        while (!stopping.IsCancellationRequested)
        {
            var wake = WakeTask();
            var now = _time.GetTimestamp();
            TimeSpan wait;
            switch (state)
            {
                case LinkState.Connecting:
                    seenFailures = Volatile.Read(ref _failures);
                    if (multiplexer.IsConnected && await EnsureSubscribedAsync(multiplexer, stopping))
                    {
                        probe = SendProbe(multiplexer, probe);
                        (probeSentAt, probeOutstanding, attempts, state) = (now, true, 1, LinkState.Confirming);
                        continue;
                    }

                    if (!reportedUnreachable && _time.GetElapsedTime(lostAt, now) >= Options.StartupTimeout)
                    {
                        _log.CannotReach(Endpoint, _lastFailure); // once per outage: the client keeps retrying quietly
                        reportedUnreachable = true;
                    }

                    wait = ReconnectPoll;
                    break;

                case LinkState.Confirming:
                    if (Volatile.Read(ref _failures) != seenFailures || !multiplexer.IsConnected)
                    {
                        state = LinkState.Connecting;
                        continue;
                    }

                    if (Volatile.Read(ref _echoedProbe) >= probe)
                    {
                        Joined(everConnected, lostAt);
                        (everConnected, reportedUnreachable, probeOutstanding, probeSentAt, state) = (true, false, false, now, LinkState.Connected);
                        continue;
                    }

                    // Until the client has resubscribed, a probe may pass before the subscription: send another shortly.
                    if (_time.GetElapsedTime(probeSentAt, now) >= ReconnectPoll)
                    {
                        if (++attempts % 10 == 0)
                        {
                            _log.ProbePending(Endpoint, ChannelName, attempts);
                        }

                        probe = SendProbe(multiplexer, probe);
                        probeSentAt = now;
                        continue;
                    }

                    wait = ReconnectPoll - _time.GetElapsedTime(probeSentAt, now);
                    break;

                default:
                    if (Volatile.Read(ref _failures) != seenFailures)
                    {
                        lostAt = Lost(_lastFailure);
                        state = LinkState.Connecting;
                        continue;
                    }

                    if (probeOutstanding && Volatile.Read(ref _echoedProbe) >= probe)
                    {
                        probeOutstanding = false;
                    }

                    if (probeOutstanding && _time.GetElapsedTime(probeSentAt, now) >= Options.ProbeTimeout)
                    {
                        lostAt = Lost($"the probe through channel {ChannelName} did not come back within {Options.ProbeTimeout}");
                        state = LinkState.Connecting;
                        continue;
                    }

                    if (!probeOutstanding && _time.GetElapsedTime(probeSentAt, now) >= Options.ProbeInterval)
                    {
                        probe = SendProbe(multiplexer, probe);
                        (probeSentAt, probeOutstanding) = (now, true);
                        continue;
                    }

                    wait = (probeOutstanding ? Options.ProbeTimeout : Options.ProbeInterval) - _time.GetElapsedTime(probeSentAt, now);
                    break;
            }

            await WaitAsync(wake, wait, stopping);
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

    /// <summary>Publishes probe <paramref name="previous"/> + 1 to this node through the cluster channel; a failure shows as no echo.</summary>
    private long SendProbe(ConnectionMultiplexer multiplexer, long previous)
    {
        var sequence = previous + 1;
        try
        {
            _ = multiplexer.GetSubscriber().PublishAsync(_channel, RedisEnvelope.Probe(NodeName, _instance, sequence))
                .ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _lastFailure = e.Message;
        }

        return sequence;
    }

    private void Joined(bool everConnected, long lostAt)
    {
        Interlocked.Increment(ref _epoch);
        SetConnected(true);
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

        _firstConnection.TrySetResult();
    }

    /// <summary>Leaves the cluster: from now on messages for other nodes are dropped until the node is confirmed again.</summary>
    private long Lost(string reason)
    {
        SetConnected(false);
        _log.ConnectionLost(Endpoint, reason);
        return _time.GetTimestamp();
    }

    private void SetConnected(bool connected)
    {
        lock (_connectionLock)
        {
            _connected = connected;
            if (connected)
            {
                _connectedSignal.TrySetResult();
            }
            else if (_connectedSignal.Task.IsCompleted)
            {
                _connectedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
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
