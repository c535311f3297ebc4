using Fenix.Presence.Diagnostics;
using Fenix.Presence.Messages;
using Fenix.Presence.Tracker;

namespace Fenix.Presence.Sharding;

/// <summary>The shard's conversation with its peers: ticks, heartbeats, transfers, liveness.</summary>
internal sealed partial class TrackerShard
{
    /// <summary>
    /// The gossip tick (§8.7): broadcast the delta (or an empty heartbeat after enough silence), every
    /// <c>ClockSamplePeriods</c> ticks ask the peers that know more for a transfer, detect silent peers, reschedule.
    /// </summary>
    private void HandleTick()
    {
        if (_state.HasDelta)
        {
            var delta = _state.TakeDelta();
            Send(new HeartbeatMessage(Replica, delta, _state.Clocks()), "heartbeat");
            _silentPeriods = 0;
        }
        else if (_silentPeriods >= _maxSilentPeriods)
        {
            Send(new HeartbeatMessage(Replica, null, _state.Clocks()), "heartbeat");
            _silentPeriods = 0;
        }
        else
        {
            _silentPeriods++;
        }

        if (--_sampleCountdown <= 0)
        {
            _sampleCountdown = _clockSamplePeriods;
            var own = _state.Clocks();
            foreach (var peer in Clock.ReplicasToSync(_pendingClockset, own))
            {
                _log.TransferRequested(Name, peer.ToString());
                SendTo(peer.Name, new TransferRequestMessage(++_nextTransferId, Replica, own), "transfer_req");
            }

            _pendingClockset = [];
        }

        Apply(_registry.DetectFailures(NowMs(), _downPeriod, _permdownPeriod));
        _tickTimer.Change(_broadcastPeriod, Timeout.InfiniteTimeSpan);
    }

    private void HandleRemote(TrackerMessage message)
    {
        if (string.Equals(message.Sender.Name, Replica.Name, StringComparison.Ordinal))
        {
            return; // our own broadcast, or a previous incarnation's message still in flight
        }

        switch (message)
        {
            case HeartbeatMessage heartbeat:
                Received("heartbeat");
                Apply(_registry.OnHeartbeat(heartbeat.Sender, NowMs()));
                if (heartbeat.Delta is { } delta)
                {
                    Merge(delta);
                }

                _pendingClockset = Clock.AppendClock(_pendingClockset, heartbeat.Clocks);
                break;
            case TransferRequestMessage request:
                Received("transfer_req");
                SendTo(request.Sender.Name, new TransferAckMessage(request.RequestId, Replica, _state.Extract(request.Clocks)), "transfer_ack");
                break;
            case TransferAckMessage ack:
                Received("transfer_ack");
                var elapsedMs = Merge(ack.Payload);
                _log.TransferMerged(Name, ack.Sender.ToString(), ack.Payload.Size, elapsedMs);
                break;
            case GracefulPermdownMessage permdown:
                Received("graceful_permdown");
                var transitions = _registry.OnGracefulPermdown(permdown.Sender);
                if (transitions.Count > 0)
                {
                    _log.GracefulPermdownReceived(Name, permdown.Sender.ToString());
                }

                Apply(transitions);
                break;
        }
    }

    /// <summary>Merges a remote payload, reports its diff and returns how long the merge took.</summary>
    private double Merge(TrackerPayload payload)
    {
        var started = _time.GetTimestamp();
        var diff = _state.Merge(payload);
        var elapsed = _time.GetElapsedTime(started);
        _metrics?.MergeDuration.Record(elapsed.TotalSeconds);
        Report(diff);
        return elapsed.TotalMilliseconds;
    }

    /// <summary>Applies liveness transitions to the state, in order, reporting what became (in)visible.</summary>
    private void Apply(IReadOnlyList<ReplicaTransition> transitions)
    {
        foreach (var transition in transitions)
        {
            var replica = transition.Replica;
            switch (transition.Kind)
            {
                case ReplicaTransitionKind.Up:
                    _log.ReplicaUp(Name, replica.ToString());
                    Report(_state.ReplicaUp(replica));

                    // Announce our clocks at the next tick instead of after up to MaxSilentPeriods idle ticks, so a node
                    // that just started learns what it is missing (and asks for a transfer) in seconds. Phoenix waits.
                    _silentPeriods = _maxSilentPeriods;
                    break;
                case ReplicaTransitionKind.Down:
                    _log.ReplicaDown(Name, replica.ToString());
                    Report(_state.ReplicaDown(replica));
                    break;
                case ReplicaTransitionKind.Permdown:
                    _log.ReplicaPermdown(Name, replica.ToString());
                    Report(_state.RemoveDownReplica(replica));
                    break;
            }

            _metrics?.ReplicaTransitions.Add(1, new KeyValuePair<string, object?>("kind", transition.Kind switch
            {
                ReplicaTransitionKind.Up => "up",
                ReplicaTransitionKind.Down => "down",
                _ => "permdown",
            }));
        }
    }

    /// <summary>Broadcasts to the same shard on every other node (not to ourselves).</summary>
    private void Send(TrackerMessage message, string kind)
    {
        _pubSub.BroadcastFrom(_subscriber, Topic, message);
        _metrics?.GossipSent.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    /// <summary>Sends to the same shard on the node <paramref name="node"/> only.</summary>
    private void SendTo(string node, TrackerMessage message, string kind)
    {
        _pubSub.DirectBroadcast(node, Topic, message);
        _metrics?.GossipSent.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    private void Received(string kind) =>
        _metrics?.GossipReceived.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
