using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Internal;
using Fenix.AspNetCore.Sockets;
using Fenix.AspNetCore.Transports;
using Fenix.Protocol;
using Fenix.PubSub;
using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Channels;

/// <summary>
/// The engine of one joined channel: a mailbox whose messages (join, client events, infos, intercepted broadcasts,
/// shutdown) run the user's <see cref="Channel"/> callbacks one at a time. Broadcasts that are not intercepted never
/// enter the mailbox: <see cref="Deliver"/> hands their shared pre-encoded frame straight to the connection.
/// </summary>
internal sealed partial class ChannelServer : Mailbox<ChannelMail>, ISubscriber
{
    private const int StateJoining = 0, StateJoined = 1, StateStopping = 2, StateEnded = 3;

    private static long s_nextId;

    private readonly ChannelRoute _route;

    /// <summary>The instance a duplicate join replaced; its phx_close is written right after this join's reply.</summary>
    private ChannelServer? _replaced;

    /// <summary>Created by the join; null until then and after a join crash in its constructor.</summary>
    private Channel? _channel;

    /// <summary>Joining → Joined → Stopping → Ended; only the mailbox loop moves it forward, except <see cref="Kill"/>.</summary>
    private int _state;

    /// <summary>Set once the join reply is written. Before that, frames wait in <see cref="_gated"/> so the reply is always first.</summary>
    private volatile bool _replied;

    /// <summary>Frames (pushes from JoinAsync, early broadcasts) produced before the join reply; under the instance lock.</summary>
    private List<EncodedFrame>? _gated;

    /// <summary>Killed by a duplicate join: no terminate, nothing more handled.</summary>
    private volatile bool _killed;

    /// <summary>The join was refused or crashed: later client events get the replies of an unjoined topic.</summary>
    private bool _joinFailed;

    /// <summary>Set when the mailbox overflowed; the loop crashes the channel at its next message.</summary>
    private volatile bool _overflowed;

    /// <summary>Topics subscribed with <see cref="Channel.Subscribe"/>; under the instance lock.</summary>
    private List<string>? _extraTopics;

    /// <summary>Cancelled when the channel ends; created on first use (presence tracking).</summary>
    private CancellationTokenSource? _ended;

    /// <summary>Completed when the channel ends; created on first use (a transport waiting for its channels).</summary>
    private TaskCompletionSource? _completion;

    private int _endedFlag;

    public ChannelServer(SocketSession session, ChannelRoute route, Message join, ChannelServer? replaced)
    {
        Session = session;
        _route = route;
        _replaced = replaced;
        Topic = join.Topic;
        WireJoinRef = join.JoinRef;
        JoinRef = join.JoinRef ?? join.Ref;
        Id = Interlocked.Increment(ref s_nextId);
        var assigns = session.Assigns.Fork();
        foreach (var (key, value) in route.StaticAssigns)
        {
            assigns[key] = value;
        }

        Socket = new ChannelSocket(this, assigns);
    }

    /// <summary>Unique in this process; with the node name it identifies the channel cluster-wide (presence owner).</summary>
    public long Id { get; }

    public string Topic { get; }

    /// <summary>The join_ref as the client sent it (null for V1 clients that omit it): what every frame of this channel carries.</summary>
    public string? WireJoinRef { get; }

    /// <summary>The join_ref the channel sees: the wire join_ref, or the join's ref when there was none.</summary>
    public string? JoinRef { get; }

    public SocketSession Session { get; }

    public ChannelSocket Socket { get; }

    public ILogger Log => Session.Runtime.ChannelLog;

    public System.Text.Json.JsonSerializerOptions JsonOptions => Session.Runtime.Json;

    public Channel? Instance => _channel;

    /// <summary>The route this channel was joined through (its pattern and channel class).</summary>
    public ChannelRoute Route => _route;

    /// <summary>Cancelled when this channel ends, however it ends (leave, crash, connection loss, duplicate join).</summary>
    public CancellationToken Ended
    {
        get
        {
            lock (this)
            {
                if (Volatile.Read(ref _endedFlag) != 0)
                {
                    return new CancellationToken(canceled: true);
                }

                return (_ended ??= new CancellationTokenSource()).Token;
            }
        }
    }

    /// <summary>Completes when this channel has ended (after its terminate callback, if any).</summary>
    public Task Completion
    {
        get
        {
            lock (this)
            {
                return Volatile.Read(ref _endedFlag) != 0
                    ? Task.CompletedTask
                    : (_completion ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    private string ChannelName => _route.ChannelType.Name;

    public void PostJoin(Message join) => Post(new ChannelMail(ChannelMailKind.Join, join));

    public void PostIn(Message message) => Post(new ChannelMail(ChannelMailKind.In, message));

    public void PostLeave(Message message) => Post(new ChannelMail(ChannelMailKind.Leave, message));

    public void PostInfo(object message) => PostServerMail(new ChannelMail(ChannelMailKind.Info, Info: message));

    public IDisposable PostInfoAfter(object message, TimeSpan delay) =>
        Session.Runtime.Time.CreateTimer(
            static state =>
            {
                var (server, message) = ((ChannelServer, object))state!;
                server.PostInfo(message);
            },
            (this, message),
            delay,
            Timeout.InfiniteTimeSpan);

    /// <summary>The connection ended: stop after what is already queued.</summary>
    public void Shutdown(TerminateReason reason) => Post(new ChannelMail(ChannelMailKind.Shutdown, Reason: reason));

    /// <summary>Stops at once without running terminate (a duplicate join replaced this instance).</summary>
    public void Kill()
    {
        _killed = true;
        foreach (var mail in DrainPending())
        {
            if (mail.Kind == ChannelMailKind.In)
            {
                Session.InboundHandled();
            }
        }

        End();
    }

    /// <summary>PubSub delivery. Runs on the publisher's thread: no user code here, only routing.</summary>
    public void Deliver(string topic, object message)
    {
        if (Volatile.Read(ref _state) >= StateStopping || _killed)
        {
            return;
        }

        if (message is BroadcastMessage b && topic == Topic)
        {
            if (_channel is { } channel && channel.Intercepts.Count > 0 && channel.Intercepts.Contains(b.Event))
            {
                PostServerMail(new ChannelMail(ChannelMailKind.Out, Info: b.Broadcast));
                return;
            }

            if (!Session.CanCarry(b.Broadcast.Payload))
            {
                Log.FrameDropped(Topic, $"{Session.Transport.Name}/{Session.Serializer.Name} cannot carry binary payloads");
                return;
            }

            SendOrGate(b.FrameFor(Session.Serializer));
            return;
        }

        PostServerMail(new ChannelMail(ChannelMailKind.Info, Info: message is BroadcastMessage other ? other.Broadcast : message));
    }

    /// <summary>Pushes to this channel's client (from any thread).</summary>
    public void SendPush(string @event, Payload payload)
    {
        if (!Session.CanCarry(payload))
        {
            Log.FrameDropped(Topic, $"{Session.Transport.Name}/{Session.Serializer.Name} cannot carry binary payloads");
            return;
        }

        SendOrGate(Session.Serializer.EncodePush(new Message(WireJoinRef, null, Topic, @event, payload)));
    }

    /// <summary>Replies to the client message <paramref name="ref"/> (from any thread).</summary>
    public void SendReply(string? @ref, string status, Payload response)
    {
        if (!Session.CanCarry(response))
        {
            Log.FrameDropped(Topic, $"{Session.Transport.Name}/{Session.Serializer.Name} cannot carry binary payloads");
            return;
        }

        SendOrGate(Session.Serializer.EncodeReply(new Reply(WireJoinRef, @ref, Topic, status, response)));
    }

    public void Broadcast(string @event, Payload payload, bool excludeSelf)
    {
        var message = new BroadcastMessage(new Broadcast(Topic, @event, payload));
        FenixTelemetry.Broadcasting(Topic, @event, excludeSelf);
        using var batch = WriterBatch.Begin();
        if (excludeSelf)
        {
            Session.Runtime.PubSub.BroadcastFrom(this, Topic, message);
        }
        else
        {
            Session.Runtime.PubSub.Broadcast(Topic, message);
        }
    }

    public void SubscribeExtra(string topic)
    {
        lock (this)
        {
            if (_endedFlag != 0)
            {
                return;
            }

            (_extraTopics ??= []).Add(topic);
        }

        Session.Runtime.PubSub.Subscribe(topic, this);
    }

    public void UnsubscribeExtra(string topic)
    {
        lock (this)
        {
            if (_extraTopics is null || !_extraTopics.Remove(topic))
            {
                return;
            }
        }

        Session.Runtime.PubSub.Unsubscribe(topic, this);
    }

    protected override async ValueTask HandleAsync(ChannelMail mail)
    {
        if (_killed || Volatile.Read(ref _state) == StateEnded)
        {
            HandleAfterEnd(mail);
            return;
        }

        if (_overflowed && _state == StateJoined)
        {
            Log.MailboxOverflow(ChannelName, Topic, Session.Mount.Options.MaxChannelMailbox);
            await StopAsync(TerminateReason.Error("mailbox_overflow"));
            HandleAfterEnd(mail);
            return;
        }

        switch (mail.Kind)
        {
            case ChannelMailKind.Join:
                await JoinAsync(mail.Message!);
                break;
            case ChannelMailKind.In:
                try
                {
                    await HandleInAsync(mail.Message!);
                }
                finally
                {
                    Session.InboundHandled();
                }

                break;
            case ChannelMailKind.Leave:
                SendReply(mail.Message!.Ref, ReplyStatus.Ok, Payload.Empty);
                await StopAsync(TerminateReason.Left);
                break;
            case ChannelMailKind.Info:
                await RunCallbackAsync(static (channel, mail) => channel.HandleInfoAsync(mail.Info!), mail);
                break;
            case ChannelMailKind.Out:
                await RunCallbackAsync(
                    static (channel, mail) =>
                    {
                        var broadcast = (Broadcast)mail.Info!;
                        return channel.HandleOutAsync(broadcast.Event, broadcast.Payload);
                    },
                    mail);
                break;
            case ChannelMailKind.Shutdown:
                await StopAsync(mail.Reason!);
                break;
        }
    }

    protected override void OnHandlerFault(ChannelMail mail, Exception exception)
    {
        // Only Fenix's own code can get here (user callbacks are guarded); do not let one channel's bug go silent.
        Log.ChannelCrashed(ChannelName, Topic, exception);
        End();
    }

    private void PostServerMail(ChannelMail mail)
    {
        if (Post(mail) > Session.Mount.Options.MaxChannelMailbox)
        {
            _overflowed = true;
        }
    }

    private void SendOrGate(EncodedFrame frame)
    {
        if (!_replied)
        {
            lock (this)
            {
                if (!_replied)
                {
                    (_gated ??= []).Add(frame);
                    return;
                }
            }
        }

        Session.Send(frame);
    }

    /// <summary>Writes the join reply, then everything that waited for it, in order.</summary>
    private void OpenGate(EncodedFrame joinReply)
    {
        lock (this)
        {
            Session.Send(joinReply);
            if (_replaced is not null)
            {
                Session.SendClose(_replaced);
                _replaced = null;
            }

            foreach (var frame in _gated ?? [])
            {
                Session.Send(frame);
            }

            _gated = null;
            _replied = true;
        }
    }
}
