using Fenix.AspNetCore.Internal;

namespace Fenix.AspNetCore.Sockets;

/// <summary>What the session knows of one channel instance it created (see <see cref="SessionTopics{TChannel}"/>).</summary>
internal enum TopicPhase : byte
{
    /// <summary>Its join was routed to it; the outcome is not known yet (it may wait for a slot or for the instance it replaces).</summary>
    Joining,

    /// <summary>It reported a successful join.</summary>
    Joined,

    /// <summary>A <c>phx_leave</c> with its join_ref was routed to it: it will stop.</summary>
    Leaving,

    /// <summary>A later <c>phx_join</c> of its topic replaced it: it gets no more client frames and is killed once it handled those it has.</summary>
    Replaced,

    /// <summary>It ended (refused, stopped, crashed) but may still hold client frames, which it answers as for a topic not joined.</summary>
    Closing,
}

/// <summary>How the session answers one inbound client message (the decision of protocol.md §4.2).</summary>
internal enum RouteKind : byte
{
    /// <summary>Give it to the topic's current channel, which answers in order with everything else on that topic.</summary>
    Forward,

    /// <summary>No channel on the topic: answer it directly (unmatched topic, or ok to a leave).</summary>
    Unjoined,

    /// <summary>The connection ended: drop it.</summary>
    Dropped,
}

/// <summary>
/// The session's per-topic bookkeeping as pure data, owned by <see cref="SocketSession"/> (which holds its lock around
/// every call and does all I/O after it). Every client frame of a topic that has an instance goes to that instance's
/// mailbox, so one topic's frames are answered strictly in order; a topic is free only once its last instance ended
/// AND answered everything it was given (<see cref="Retire"/>). Every instance the session created stays in
/// <see cref="Instances"/> until it retired, so a connection that ends stops all of them: none is orphaned.
/// </summary>
internal sealed class SessionTopics<TChannel>(int maxChannels)
    where TChannel : class
{
    /// <summary>Topic → the instance that gets its client frames (the newest join of that topic).</summary>
    private readonly SmallMap<string, TChannel> _current = new(StringComparer.Ordinal);

    /// <summary>Every instance not retired yet (current or replaced), with its topic and phase.</summary>
    private readonly SmallMap<TChannel, (string Topic, TopicPhase Phase)> _instances = new(ReferenceEqualityComparer.Instance);

    private readonly ChannelSlots<TChannel> _slots = new(maxChannels);

    /// <summary>True once the connection ended; nothing is routed any more.</summary>
    public bool IsEnded { get; private set; }

    /// <summary>Instances not retired yet.</summary>
    public int InstanceCount => _instances.Count;

    /// <summary>Channel slots held by joined channels (what the limit counts).</summary>
    public int JoinedCount => _slots.Held;

    public int MaxChannels => maxChannels;

    /// <summary>Every instance not retired yet.</summary>
    public IEnumerable<TChannel> Instances => _instances.Keys;

    /// <summary>The instance that gets <paramref name="topic"/>'s client frames, if any.</summary>
    public TChannel? Current(string topic) => _current.GetValueOrDefault(topic);

    public TopicPhase? PhaseOf(TChannel channel) => _instances.TryGetValue(channel, out var entry) ? entry.Phase : null;

    /// <summary>Decides how to answer a frame that is not a join.</summary>
    public RouteKind Route(string topic, out TChannel? target)
    {
        target = null;
        if (IsEnded)
        {
            return RouteKind.Dropped;
        }

        return _current.TryGetValue(topic, out target) ? RouteKind.Forward : RouteKind.Unjoined;
    }

    /// <summary>
    /// A <c>phx_join</c> of <paramref name="topic"/> (its route matched) that <paramref name="channel"/> will run. Returns the
    /// instance it replaces (which must be told), and the slot decision if it can be made now.
    /// </summary>
    public (TChannel? Replaced, Admission Admission) Join(string topic, TChannel channel)
    {
        if (IsEnded)
        {
            return (null, Admission.Cancelled);
        }

        var replaced = _current.GetValueOrDefault(topic);
        if (replaced is not null)
        {
            SetPhase(replaced, TopicPhase.Replaced);
            _slots.Release(replaced);
        }

        _current.Set(topic, channel);
        _instances.Add(channel, (topic, TopicPhase.Joining));
        return (replaced, _slots.Admit(channel));
    }

    /// <summary>A <c>phx_leave</c> for <paramref name="channel"/>; <paramref name="current"/> when its join_ref is null or the channel's own.</summary>
    public void Leave(TChannel channel, bool current)
    {
        if (current && PhaseOf(channel) is TopicPhase.Joining or TopicPhase.Joined)
        {
            SetPhase(channel, TopicPhase.Leaving);
            _slots.Release(channel);
        }
    }

    /// <summary>The channel reported its join's outcome.</summary>
    public void JoinResolved(TChannel channel, bool joined)
    {
        if (PhaseOf(channel) == TopicPhase.Joining)
        {
            SetPhase(channel, joined ? TopicPhase.Joined : TopicPhase.Closing);
        }

        _slots.JoinResolved(channel, joined);
    }

    /// <summary>The channel ended, however it ended.</summary>
    public void Ended(TChannel channel)
    {
        if (PhaseOf(channel) is TopicPhase.Joining or TopicPhase.Joined or TopicPhase.Leaving)
        {
            SetPhase(channel, TopicPhase.Closing);
        }

        _slots.Ended(channel);
    }

    /// <summary>
    /// An ended channel has answered every client frame it was given: it is forgotten, and its topic is free if it was
    /// the current instance. The caller guarantees that nothing can be given to it meanwhile (same lock).
    /// </summary>
    public void Retire(TChannel channel)
    {
        if (!_instances.Remove(channel, out var entry))
        {
            return;
        }

        if (_current.TryGetValue(entry.Topic, out var current) && ReferenceEquals(current, channel))
        {
            _current.Remove(entry.Topic);
        }
    }

    /// <summary>The connection ended: returns every instance still alive (each must stop); undecided joins are cancelled.</summary>
    public List<TChannel> End()
    {
        if (IsEnded)
        {
            return [];
        }

        IsEnded = true;
        _slots.CancelAll();
        return [.. _instances.Keys];
    }

    /// <summary>Slot decisions made since the last call (deferred joins that can now go ahead or are refused).</summary>
    public List<(TChannel Channel, Admission Admission)>? TakeDecided() => _slots.TakeDecided();

    private void SetPhase(TChannel channel, TopicPhase phase)
    {
        if (_instances.TryGetValue(channel, out var entry))
        {
            _instances.Set(channel, (entry.Topic, phase));
        }
    }
}
