using System.Collections.Concurrent;
using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Channels;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;
using Fenix.PubSub;
using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Sockets;

/// <summary>
/// One client connection, whatever its transport: routes inbound frames (heartbeats, joins, leaves, events) to
/// channel instances strictly in arrival order, and answers what no channel answers (heartbeats, unmatched topics,
/// leaves of topics not joined). Runs no user code but the socket's connect callback (done before it exists).
/// </summary>
/// <remarks>
/// <para>Inbound frames are routed one at a time whatever the transport: concurrent callers of
/// <see cref="HandleInbound"/> (e.g. overlapping long-poll POSTs) queue behind the one routing, nobody blocks.</para>
/// <para>The per-topic bookkeeping is <see cref="SessionTopics{TChannel}"/>: pure state, changed only under its lock by
/// routing and by channel instances reporting their join outcome and end. Posting to a channel's mailbox happens
/// under that lock (a queue operation), so a topic's frames reach its instance in order; every frame written to the
/// client is written after the lock is released.</para>
/// </remarks>
internal sealed class SocketSession : ISubscriber
{
    /// <summary>The per-topic state; also the session's lock (held for pure state changes and mailbox posts only).</summary>
    private readonly SessionTopics<ChannelServer> _topics;

    /// <summary>Client frames posted to channels and not handled yet; bounded by <see cref="SocketMountOptions.MaxPendingInbound"/>.</summary>
    private int _pendingInbound;

    /// <summary>Completed when <see cref="_pendingInbound"/> falls back to half the bound; written under the session lock.</summary>
    private TaskCompletionSource? _capacityWaiter;

    /// <summary>Set once, under the session lock, when the transport ended; afterwards nothing is routed or written.</summary>
    private volatile TerminateReason? _terminated;

    /// <summary>The reason to give channels when the transport closes because the server asked it to (e.g. disconnect).</summary>
    private TerminateReason? _closeReason;

    /// <summary>1 while a caller routes inbound frames; only that caller routes.</summary>
    private int _routing;

    /// <summary>Frames that arrived while another caller was routing, in arrival order; created on the first contention.</summary>
    private ConcurrentQueue<Message>? _backlog;

    public SocketSession(
        FenixRuntime runtime,
        SocketMount mount,
        IMessageSerializer serializer,
        Assigns assigns,
        string? socketId,
        ConnectInfo connectInfo,
        ISocketTransport transport)
    {
        Runtime = runtime;
        Mount = mount;
        Serializer = serializer;
        Assigns = assigns;
        SocketId = socketId;
        ConnectInfo = connectInfo;
        Transport = transport;
        _topics = new SessionTopics<ChannelServer>(mount.Options.MaxChannels);
    }

    public FenixRuntime Runtime { get; }

    public SocketMount Mount { get; }

    public IMessageSerializer Serializer { get; }

    /// <summary>The socket's assigns from connect; each channel forks its own copy.</summary>
    public Assigns Assigns { get; }

    public string? SocketId { get; }

    public ConnectInfo ConnectInfo { get; }

    public ISocketTransport Transport { get; }

    public ILogger Log => Runtime.SocketLog;

    public bool IsTerminated => _terminated is not null;

    /// <summary>Channel instances not retired yet (joining, joined, replaced or answering their last frames).</summary>
    public int InstanceCount
    {
        get
        {
            lock (_topics)
            {
                return _topics.InstanceCount;
            }
        }
    }

    /// <summary>Every instance with its topic, the session's phase for it and its own phase (for diagnostics and tests).</summary>
    public string Describe()
    {
        lock (_topics)
        {
            return string.Join("; ", _topics.Instances.Select(c => $"{c.Topic} #{c.Id} {_topics.PhaseOf(c)} {c.Phase} idle={c.IsIdle}"));
        }
    }

    /// <summary>Client frames handed to channels and not handled yet.</summary>
    public int PendingInbound => Volatile.Read(ref _pendingInbound);

    /// <summary>True while the channels hold more unhandled client frames than allowed: the transport should wait before reading on.</summary>
    public bool IsOverloaded => Volatile.Read(ref _pendingInbound) > Mount.Options.MaxPendingInbound;

    /// <summary>Starts listening for <c>disconnect</c> on the socket id.</summary>
    public void Start()
    {
        Runtime.Metrics.ConnectionOpened(Transport.Name);
        if (SocketId is not null)
        {
            Runtime.PubSub.Subscribe(SocketId, this);
        }
    }

    /// <summary>Routes one inbound message; frames are routed one at a time, in the order callers hand them over.</summary>
    public void HandleInbound(Message message)
    {
        if (Interlocked.CompareExchange(ref _routing, 1, 0) == 0)
        {
            if (Volatile.Read(ref _backlog) is { IsEmpty: false } backlog)
            {
                backlog.Enqueue(message); // earlier frames wait there: keep the order
            }
            else
            {
                Route(message);
            }

            RouteBacklogAndRelease();
            return;
        }

        var queue = Volatile.Read(ref _backlog) ?? Interlocked.CompareExchange(ref _backlog, new ConcurrentQueue<Message>(), null) ?? _backlog!;
        queue.Enqueue(message);
        if (Interlocked.CompareExchange(ref _routing, 1, 0) == 0)
        {
            RouteBacklogAndRelease();
        }
    }

    /// <summary>Completes when channels have caught up with the client's frames (see <see cref="IsOverloaded"/>).</summary>
    public Task WaitForCapacityAsync()
    {
        Task waiting;
        lock (_topics)
        {
            if (!IsOverloaded || _terminated is not null)
            {
                return Task.CompletedTask;
            }

            waiting = Interlocked.CompareExchange(ref _capacityWaiter, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null)?.Task
                ?? _capacityWaiter!.Task;
        }

        // The channels may have caught up between the check and the waiter's creation: look again (the exchange was a full fence).
        if (Volatile.Read(ref _pendingInbound) <= Mount.Options.MaxPendingInbound / 2)
        {
            ReleaseCapacityWaiter();
        }

        return waiting;
    }

    /// <summary>A channel handled (or dropped) one client frame.</summary>
    public void InboundHandled()
    {
        var pending = Interlocked.Decrement(ref _pendingInbound);
        if (pending <= Mount.Options.MaxPendingInbound / 2 && Volatile.Read(ref _capacityWaiter) is not null)
        {
            ReleaseCapacityWaiter();
        }
    }

    /// <summary>Asks the transport to close for <paramref name="transportReason"/>, telling channels <paramref name="channelReason"/>.</summary>
    public void Close(TransportCloseReason transportReason, TerminateReason channelReason)
    {
        Interlocked.CompareExchange(ref _closeReason, channelReason, null);
        Transport.Close(transportReason);
    }

    /// <summary>
    /// The transport ended: every channel instance stops with <paramref name="reason"/> (or the reason the server closed
    /// for), whatever phase it is in. Returns when they have ended (terminate callbacks ran); a second call returns at once.
    /// </summary>
    public Task Terminate(TerminateReason reason)
    {
        List<ChannelServer> channels;
        List<(ChannelServer Channel, Admission Admission)>? decided;
        TerminateReason terminated;
        lock (_topics)
        {
            if (_terminated is not null)
            {
                return Task.CompletedTask;
            }

            terminated = Volatile.Read(ref _closeReason) ?? reason;
            _terminated = terminated;
            channels = _topics.End();
            decided = _topics.TakeDecided();
        }

        if (SocketId is not null)
        {
            Runtime.PubSub.Unsubscribe(SocketId, this);
        }

        Admit(decided);
        var ended = new Task[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            ended[i] = channels[i].Completion;
            channels[i].Shutdown(terminated);
        }

        ReleaseCapacityWaiter();
        Runtime.Metrics.ConnectionClosed(Transport.Name);
        return Task.WhenAll(ended);
    }

    /// <summary>PubSub delivery on the socket id topic: only <c>disconnect</c> means anything.</summary>
    void ISubscriber.Deliver(string topic, object message)
    {
        if (message is BroadcastMessage { Event: PhoenixEvents.Disconnect })
        {
            Close(TransportCloseReason.Disconnected, TerminateReason.Disconnected);
        }
    }

    /// <summary>A channel instance knows how its join ended (before it writes the reply).</summary>
    public void JoinResolved(ChannelServer channel, bool joined)
    {
        List<(ChannelServer, Admission)>? decided;
        lock (_topics)
        {
            _topics.JoinResolved(channel, joined);
            decided = _topics.TakeDecided();
        }

        Admit(decided);
    }

    /// <summary>A channel instance ended (stopped, crashed, refused, killed).</summary>
    public void ChannelEnded(ChannelServer channel)
    {
        List<(ChannelServer, Admission)>? decided;
        lock (_topics)
        {
            _topics.Ended(channel);
            decided = _topics.TakeDecided();
        }

        Admit(decided);
    }

    /// <summary>An ended instance may be forgotten once its mailbox is empty (no frame can reach it meanwhile: same lock).</summary>
    public void TryRetire(ChannelServer channel)
    {
        lock (_topics)
        {
            if (channel.IsIdle)
            {
                _topics.Retire(channel);
            }
        }
    }

    /// <summary>Answers a client frame as for a topic that is not joined (protocol.md §4.2, rule 2).</summary>
    public void AnswerUnjoined(Message message)
    {
        if (message.Event == PhoenixEvents.Leave)
        {
            SendReply(message.JoinRef, message.Ref, message.Topic, ReplyStatus.Ok, Payload.Empty);
        }
        else
        {
            SendReply(null, message.Ref, message.Topic, ReplyStatus.Error, ReplyPayloads.UnmatchedTopic);
        }
    }

    /// <summary>Writes <c>phx_close</c> for a join of <paramref name="topic"/> (a normal stop, or the instance a duplicate join replaced).</summary>
    public void SendClose(string? joinRef, string topic)
    {
        if (!IsTerminated)
        {
            SendPush(new Message(joinRef, joinRef, topic, PhoenixEvents.Close, Payload.Empty));
        }
    }

    /// <summary>Writes <c>phx_error</c> for a join of <paramref name="topic"/> (a crash or a stop with an error reason).</summary>
    public void SendError(string? joinRef, string topic)
    {
        if (!IsTerminated)
        {
            SendPush(new Message(joinRef, joinRef, topic, PhoenixEvents.Error, ReplyPayloads.ChannelCrash));
        }
    }

    public void SendReply(string? joinRef, string? @ref, string topic, string status, Payload response)
    {
        EncodedFrame frame;
        try
        {
            frame = Serializer.EncodeReply(new Reply(joinRef, @ref, topic, status, response));
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            Log.FrameDropped(topic, e.Message);
            return;
        }

        Send(frame);
    }

    /// <summary>Queues a frame for the client. Frames a transport cannot carry (binary on long poll or V1) are dropped with a log line.</summary>
    public void Send(EncodedFrame frame)
    {
        Runtime.Metrics.MessagesOut.Add(1);
        Transport.Send(frame);
    }

    public bool CanCarry(Payload payload) => !payload.IsBinary || (Transport.SupportsBinary && Serializer.SupportsBinary);

    private void RouteBacklogAndRelease()
    {
        while (true)
        {
            if (Volatile.Read(ref _backlog) is { } backlog)
            {
                while (backlog.TryDequeue(out var next))
                {
                    Route(next);
                }
            }

            Volatile.Write(ref _routing, 0);
            if (Volatile.Read(ref _backlog) is not { IsEmpty: false } || Interlocked.CompareExchange(ref _routing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Protocol.md §4.2 for one frame. Only the routing caller runs it.</summary>
    private void Route(Message message)
    {
        Runtime.Metrics.MessagesIn.Add(1);
        if (message.Event == PhoenixEvents.Heartbeat && message.Topic == PhoenixEvents.PhoenixTopic)
        {
            SendReply(null, message.Ref, PhoenixEvents.PhoenixTopic, ReplyStatus.Ok, Payload.Empty);
            return;
        }

        if (message.Event == PhoenixEvents.Join)
        {
            RouteJoin(message);
            return;
        }

        RouteKind kind;
        ChannelServer? claimed = null;
        var mail = new ChannelMail(ChannelMailKind.In, message);
        lock (_topics)
        {
            kind = _topics.Route(message.Topic, out var channel);
            if (kind == RouteKind.Forward)
            {
                if (message.Event == PhoenixEvents.Leave)
                {
                    _topics.Leave(channel!, current: message.JoinRef is null || message.JoinRef == channel!.WireJoinRef);
                    PostClient(channel!, new ChannelMail(ChannelMailKind.Leave, message));
                }
                else
                {
                    if (PostOrClaimClient(channel!, mail))
                    {
                        claimed = channel;
                    }
                }
            }
        }

        if (kind == RouteKind.Unjoined)
        {
            AnswerUnjoined(message);
        }

        // An event for an idle channel runs its HandleIn here, after the lock (no thread-pool hop for the common case).
        claimed?.RunClaimedClient(mail);
    }

    private void RouteJoin(Message message)
    {
        var route = Mount.Handler.Router.Match(message.Topic);
        if (route is null)
        {
            Log.UnmatchedTopic(message.Topic);
            Runtime.Telemetry.JoinRefusedEarly("unmatched", message.Topic);
            SendReply(null, message.Ref, message.Topic, ReplyStatus.Error, ReplyPayloads.UnmatchedTopic);
            return;
        }

        var channel = new ChannelServer(this, route, message);
        lock (_topics)
        {
            var (replaced, admission) = _topics.Join(message.Topic, channel);
            if (admission == Admission.Cancelled)
            {
                return;
            }

            channel.Prepare(replaced, admission);
            replaced?.PostReplace(channel);
            PostClient(channel, new ChannelMail(ChannelMailKind.Join, message));
        }
    }

    /// <summary>Under the session lock: hands a client frame to a channel's mailbox and counts it until handled.</summary>
    private void PostClient(ChannelServer channel, ChannelMail mail)
    {
        Interlocked.Increment(ref _pendingInbound);
        channel.PostClient(mail);
    }

    /// <summary>As <see cref="PostClient"/>, except that an idle channel's event is claimed (true) for this thread to run.</summary>
    private bool PostOrClaimClient(ChannelServer channel, ChannelMail mail)
    {
        Interlocked.Increment(ref _pendingInbound);
        return channel.PostOrClaimClient(mail);
    }

    /// <summary>Encodes and sends a connection-level push (phx_close, phx_error); frames the transport cannot carry are dropped with a log line.</summary>
    private void SendPush(Message message)
    {
        EncodedFrame frame;
        try
        {
            frame = Serializer.EncodePush(message);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            Log.FrameDropped(message.Topic, e.Message);
            return;
        }

        Send(frame);
    }

    private static void Admit(List<(ChannelServer Channel, Admission Admission)>? decided)
    {
        foreach (var (channel, admission) in decided ?? [])
        {
            channel.Admit(admission);
        }
    }

    private void ReleaseCapacityWaiter() => Interlocked.Exchange(ref _capacityWaiter, null)?.TrySetResult();
}
