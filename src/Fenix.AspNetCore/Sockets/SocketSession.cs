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
/// channel servers in arrival order, keeps the topic → channel map, and emits the connection-level replies and
/// <c>phx_close</c>/<c>phx_error</c> frames. Runs no user code but the socket's connect callback (done before it exists).
/// </summary>
/// <remarks>
/// Inbound frames arrive from one transport loop at a time; channel servers report their end from their own
/// loops. The map is the only state both touch, so it lives under a lock held for dictionary operations only.
/// </remarks>
internal sealed class SocketSession : ISubscriber
{
    /// <summary>Topic → the channel server that joined or is joining it; a server leaves it when it ends. Also the session's lock.</summary>
    private readonly Dictionary<string, ChannelServer> _channels = new(StringComparer.Ordinal);

    /// <summary>Client events handed to channels and not yet handled; bounded by <see cref="SocketMountOptions.MaxPendingInbound"/>.</summary>
    private int _pendingInbound;

    /// <summary>Completed when <see cref="_pendingInbound"/> falls back below half the bound; under the session lock.</summary>
    private TaskCompletionSource? _capacityWaiter;

    /// <summary>Set once, when the transport ended; afterwards nothing is routed or written. Under the session lock.</summary>
    private TerminateReason? _terminated;

    /// <summary>The reason to give channels when the transport closes because the server asked it to (e.g. disconnect).</summary>
    private TerminateReason? _closeReason;

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
    }

    public FenixRuntime Runtime { get; }

    public SocketMount Mount { get; }

    public IMessageSerializer Serializer { get; }

    /// <summary>The socket's assigns from connect; each channel forks its own copy.</summary>
    public Assigns Assigns { get; }

    public string? SocketId { get; }

    public ConnectInfo ConnectInfo { get; }

    public ISocketTransport Transport { get; }

    public IServiceProvider Services => Runtime.Services;

    public ILogger Log => Runtime.SocketLog;

    public int ChannelCount
    {
        get
        {
            lock (_channels)
            {
                return _channels.Count;
            }
        }
    }

    /// <summary>Starts listening for <c>disconnect</c> on the socket id.</summary>
    public void Start()
    {
        Runtime.Metrics.ConnectionOpened(Transport.Name);
        if (SocketId is not null)
        {
            Runtime.PubSub.Subscribe(SocketId, this);
        }
    }

    /// <summary>Routes one inbound message. Called by the transport, one message at a time, in arrival order.</summary>
    public void HandleInbound(Message message)
    {
        Runtime.Metrics.MessagesIn.Add(1);
        if (message.Event == PhoenixEvents.Heartbeat && message.Topic == PhoenixEvents.PhoenixTopic)
        {
            SendReply(null, message.Ref, PhoenixEvents.PhoenixTopic, ReplyStatus.Ok, Payload.Empty);
            return;
        }

        ChannelServer? existing;
        lock (_channels)
        {
            if (_terminated is not null)
            {
                return;
            }

            _channels.TryGetValue(message.Topic, out existing);
        }

        if (existing is null)
        {
            HandleUnjoined(message);
        }
        else if (message.Event == PhoenixEvents.Join)
        {
            // Duplicate join: the old instance is killed (no terminate), its phx_close follows the new reply.
            existing.Kill();
            Join(message, replaced: existing);
        }
        else if (message.JoinRef is not null && message.JoinRef != existing.WireJoinRef)
        {
            Log.StaleMessage(message.Topic, message.Event, message.JoinRef);
        }
        else if (message.Event == PhoenixEvents.Leave)
        {
            existing.PostLeave(message);
        }
        else
        {
            Interlocked.Increment(ref _pendingInbound);
            existing.PostIn(message);
        }
    }

    /// <summary>True while the channels hold more unhandled client events than allowed: the transport should wait before reading on.</summary>
    public bool IsOverloaded => Volatile.Read(ref _pendingInbound) > Mount.Options.MaxPendingInbound;

    /// <summary>Completes when channels have caught up with the client's events (see <see cref="IsOverloaded"/>).</summary>
    public Task WaitForCapacityAsync()
    {
        lock (_channels)
        {
            if (!IsOverloaded || _terminated is not null)
            {
                return Task.CompletedTask;
            }

            _capacityWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _capacityWaiter.Task;
        }
    }

    /// <summary>A channel finished handling one client event.</summary>
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
    /// The transport ended: every channel stops with <paramref name="reason"/> (or the reason the server closed for).
    /// Returns when those channels have ended (their terminate callbacks ran); a second call returns at once.
    /// </summary>
    public Task Terminate(TerminateReason reason)
    {
        List<ChannelServer> channels;
        lock (_channels)
        {
            if (_terminated is not null)
            {
                return Task.CompletedTask;
            }

            _terminated = Volatile.Read(ref _closeReason) ?? reason;
            channels = [.. _channels.Values];
            _channels.Clear();
        }

        if (SocketId is not null)
        {
            Runtime.PubSub.Unsubscribe(SocketId, this);
        }

        var ended = new Task[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            ended[i] = channels[i].Completion;
            channels[i].Shutdown(_terminated);
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

    /// <summary>A channel stopped normally: forget it and tell the client (<c>phx_close</c>).</summary>
    public void ChannelClosed(ChannelServer channel)
    {
        if (Forget(channel))
        {
            SendClose(channel);
        }
    }

    /// <summary>A channel crashed or stopped with an error: forget it and tell the client (<c>phx_error</c>).</summary>
    public void ChannelErrored(ChannelServer channel)
    {
        if (Forget(channel))
        {
            SendPush(new Message(channel.WireJoinRef, channel.WireJoinRef, channel.Topic, PhoenixEvents.Error, ReplyPayloads.ChannelCrash));
        }
    }

    /// <summary>A join was refused or crashed: the topic is free again (no frame: the join reply said it all).</summary>
    public void JoinFailed(ChannelServer channel) => Forget(channel);

    /// <summary>Writes <c>phx_close</c> for <paramref name="channel"/>'s join (also used for the instance a duplicate join replaced).</summary>
    public void SendClose(ChannelServer channel)
    {
        if (IsTerminated)
        {
            return;
        }

        SendPush(new Message(channel.WireJoinRef, channel.WireJoinRef, channel.Topic, PhoenixEvents.Close, Payload.Empty));
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

    private bool IsTerminated
    {
        get
        {
            lock (_channels)
            {
                return _terminated is not null;
            }
        }
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

    private void HandleUnjoined(Message message)
    {
        switch (message.Event)
        {
            case PhoenixEvents.Join:
                Join(message, replaced: null);
                break;
            case PhoenixEvents.Leave:
                SendReply(message.JoinRef, message.Ref, message.Topic, ReplyStatus.Ok, Payload.Empty);
                break;
            default:
                SendUnmatchedTopic(message);
                break;
        }
    }

    private void Join(Message message, ChannelServer? replaced)
    {
        var route = Mount.Handler.Router.Match(message.Topic);
        if (route is null)
        {
            Log.UnmatchedTopic(message.Topic);
            Runtime.Telemetry.JoinRefusedEarly("unmatched", message.Topic);
            SendUnmatchedTopic(message);
            return;
        }

        ChannelServer channel;
        lock (_channels)
        {
            if (replaced is not null && _channels.TryGetValue(message.Topic, out var current) && current == replaced)
            {
                _channels.Remove(message.Topic);
            }

            if (_channels.Count >= Mount.Options.MaxChannels)
            {
                channel = null!;
            }
            else
            {
                channel = new ChannelServer(this, route, message, replaced);
                _channels[message.Topic] = channel;
            }
        }

        if (channel is null)
        {
            Log.TooManyChannels(message.Topic, Mount.Options.MaxChannels);
            Runtime.Telemetry.JoinRefusedEarly("too_many", message.Topic);
            SendReply(message.JoinRef, message.Ref, message.Topic, ReplyStatus.Error,
                ReplyPayloads.TooManyChannels);
            if (replaced is not null)
            {
                SendClose(replaced);
            }

            return;
        }

        channel.PostJoin(message);
    }

    private void SendUnmatchedTopic(Message message) =>
        SendReply(null, message.Ref, message.Topic, ReplyStatus.Error,
            ReplyPayloads.UnmatchedTopic);

    /// <summary>Removes <paramref name="channel"/> if it is still the one on its topic; false once the session ended.</summary>
    private bool Forget(ChannelServer channel)
    {
        lock (_channels)
        {
            if (_channels.TryGetValue(channel.Topic, out var current) && current == channel)
            {
                _channels.Remove(channel.Topic);
            }

            return _terminated is null;
        }
    }

    private void ReleaseCapacityWaiter()
    {
        TaskCompletionSource? waiter;
        lock (_channels)
        {
            waiter = _capacityWaiter;
            _capacityWaiter = null;
        }

        waiter?.TrySetResult();
    }
}
