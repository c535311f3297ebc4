namespace Fenix.PubSub.Redis.Internal;

/// <summary>The node's link to the cluster, as the supervisor sees it.</summary>
internal enum LinkPhase
{
    /// <summary>The client is not connected (or not subscribed yet): nothing is sent to other nodes.</summary>
    Connecting,

    /// <summary>The client is connected and subscribed; probes are on their way to confirm the path end to end.</summary>
    Confirming,

    /// <summary>In the cluster: messages for other nodes are published; a probe checks the path every interval.</summary>
    Connected,
}

/// <summary>What the supervisor must do after a step.</summary>
internal enum LinkAction
{
    /// <summary>Nothing: wait for the next event or <see cref="LinkMonitor.NextCheck"/>.</summary>
    Wait,

    /// <summary>Subscribe to the cluster channel (once; the client resubscribes after reconnecting), then step again.</summary>
    Subscribe,

    /// <summary>Publish probe <see cref="LinkMonitor.Probe"/> to this node, then step again.</summary>
    SendProbe,

    /// <summary>The probe came back: the node is in the cluster (again).</summary>
    Joined,

    /// <summary>The node left the cluster (<see cref="LinkMonitor.LostReason"/>): drop messages for other nodes.</summary>
    Lost,
}

/// <summary>What the supervisor observed, at <see cref="Now"/> (time since it started).</summary>
/// <param name="ClientConnected">The client reports its connections up.</param>
/// <param name="Subscribed">The cluster channel's subscription exists (the client keeps it across reconnects).</param>
/// <param name="Failures">Connection failures the client reported so far.</param>
/// <param name="Echoed">The highest probe of this process that came back through the channel.</param>
internal readonly record struct LinkObservation(TimeSpan Now, bool ClientConnected, bool Subscribed, int Failures, long Echoed);

/// <summary>
/// The link's state machine, pure: the supervisor feeds it observations and performs the actions it returns (subscribe,
/// send a probe, join, leave). A node joins only when a probe sent after the client connected comes back; it leaves on a
/// connection failure or when a probe is not back within the timeout. Owned by the supervisor loop; time is an input.
/// </summary>
internal sealed class LinkMonitor(TimeSpan probeInterval, TimeSpan probeTimeout, TimeSpan retryInterval)
{
    /// <summary>Failures already accounted for: a different count means the connection failed since.</summary>
    private int _seenFailures;

    /// <summary>When the last probe was sent.</summary>
    private TimeSpan _probeSentAt;

    /// <summary>True from sending a probe while connected until it comes back.</summary>
    private bool _probeOutstanding;

    public LinkPhase Phase { get; private set; } = LinkPhase.Connecting;

    /// <summary>The sequence number of the last probe to send or sent (0: none yet).</summary>
    public long Probe { get; private set; }

    /// <summary>Probes sent while confirming since the client connected (for the debug log).</summary>
    public int Attempts { get; private set; }

    /// <summary>Why the node left the cluster, after <see cref="LinkAction.Lost"/>; null when the client reported a connection failure.</summary>
    public string? LostReason { get; private set; }

    /// <summary>The latest time the supervisor should step again without an event.</summary>
    public TimeSpan NextCheck { get; private set; }

    public LinkAction Step(in LinkObservation seen)
    {
        switch (Phase)
        {
            case LinkPhase.Connecting:
                _seenFailures = seen.Failures;
                if (!seen.ClientConnected)
                {
                    NextCheck = seen.Now + retryInterval;
                    return LinkAction.Wait;
                }

                if (!seen.Subscribed)
                {
                    NextCheck = seen.Now + retryInterval;
                    return LinkAction.Subscribe;
                }

                Phase = LinkPhase.Confirming;
                Attempts = 0;
                return SendProbe(seen.Now);

            case LinkPhase.Confirming:
                if (seen.Failures != _seenFailures || !seen.ClientConnected)
                {
                    Phase = LinkPhase.Connecting;
                    NextCheck = seen.Now;
                    return LinkAction.Wait;
                }

                if (seen.Echoed >= Probe)
                {
                    Phase = LinkPhase.Connected;
                    _probeOutstanding = false;
                    _probeSentAt = seen.Now;
                    NextCheck = seen.Now + probeInterval;
                    return LinkAction.Joined;
                }

                // Until the client has resubscribed, a probe may pass before the subscription: send another shortly.
                if (seen.Now - _probeSentAt >= retryInterval)
                {
                    return SendProbe(seen.Now);
                }

                NextCheck = _probeSentAt + retryInterval;
                return LinkAction.Wait;

            default:
                if (seen.Failures != _seenFailures)
                {
                    return Leave(seen.Now, null);
                }

                if (_probeOutstanding && seen.Echoed >= Probe)
                {
                    _probeOutstanding = false;
                }

                if (_probeOutstanding && seen.Now - _probeSentAt >= probeTimeout)
                {
                    return Leave(seen.Now, $"a probe did not come back within {probeTimeout}");
                }

                if (!_probeOutstanding && seen.Now - _probeSentAt >= probeInterval)
                {
                    _probeOutstanding = true;
                    return SendProbe(seen.Now);
                }

                NextCheck = _probeSentAt + (_probeOutstanding ? probeTimeout : probeInterval);
                return LinkAction.Wait;
        }
    }

    private LinkAction SendProbe(TimeSpan now)
    {
        Probe++;
        Attempts++;
        _probeSentAt = now;
        NextCheck = now;
        return LinkAction.SendProbe;
    }

    private LinkAction Leave(TimeSpan now, string? reason)
    {
        Phase = LinkPhase.Connecting;
        LostReason = reason;
        NextCheck = now;
        return LinkAction.Lost;
    }
}
