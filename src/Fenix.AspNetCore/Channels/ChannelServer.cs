using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.History;
using Fenix.AspNetCore.Internal;
using Fenix.AspNetCore.Sockets;
using Fenix.AspNetCore.Transports;
using Fenix.Protocol;
using Fenix.PubSub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Channels;

/// <summary>
/// The engine of one channel instance: a mailbox whose messages (join, client events, infos, intercepted broadcasts,
/// replacement, shutdown) run the user's <see cref="Channel"/> callbacks one at a time, and one phase
/// (<see cref="ChannelPhase"/>, moved only by <see cref="ChannelLifecycle"/>) that says what it may do. Broadcasts that
/// are not intercepted never enter the mailbox: <see cref="Deliver"/> hands their shared pre-encoded frame straight to
/// the connection.
/// </summary>
internal sealed partial class ChannelServer : Mailbox<ChannelMail>, ISubscriber
{
    /// <summary>How long a replacing join waits for this instance to handle what it was sent before (Phoenix: 5 s, then a kill).</summary>
    internal static readonly TimeSpan ReplaceGrace = TimeSpan.FromSeconds(5);

    private static readonly Task<Admission> Granted = Task.FromResult(Admission.Granted);

    private static readonly Task<Admission> Refused = Task.FromResult(Admission.Refused);

    /// <summary>Why a channel stops when its topic's history lost messages its client may have missed (its client gets phx_error and rejoins).</summary>
    private static readonly TerminateReason HistoryGapReason = TerminateReason.Error("history_gap");

    private static long s_nextId;

    private readonly ChannelRoute _route;

    /// <summary>The <see cref="ChannelPhase"/>, as an int for compare-and-swap (see <see cref="ChannelLifecycle"/>).</summary>
    private int _phase;

    /// <summary>The slot decision for this join: completed at once, or when joins in progress decide it (set before the join is posted).</summary>
    private Task<Admission> _admission = Granted;

    /// <summary>Completes <see cref="_admission"/> when the decision was deferred; null otherwise.</summary>
    private TaskCompletionSource<Admission>? _admissionSource;

    /// <summary>The instance this join replaces; null when none, and once the join has dealt with it. Mailbox loop only.</summary>
    private ChannelServer? _predecessor;

    /// <summary>Completed by the predecessor when it handled the replacement: true if it was still joined (then it gets phx_close).</summary>
    private TaskCompletionSource<bool>? _predecessorDone;

    /// <summary>The services of this instance (created before the join, disposed after terminate); mailbox loop only.</summary>
    private AsyncServiceScope? _scope;

    /// <summary>Created by the join; null until then and after a join crash in its constructor.</summary>
    private Channel? _channel;

    /// <summary>Frames (pushes from JoinAsync, early broadcasts) produced before the join reply; under the instance lock.</summary>
    private List<EncodedFrame>? _gated;

    /// <summary>Topics subscribed with <see cref="Channel.Subscribe"/>; under the instance lock.</summary>
    private List<string>? _extraTopics;

    /// <summary>Cancelled when the channel ends; created on first use (presence tracking); under the instance lock.</summary>
    private CancellationTokenSource? _ended;

    /// <summary>Completed when the channel ends; created on first use (a transport waiting for its channels); under the instance lock.</summary>
    private TaskCompletionSource? _completion;

    /// <summary>The history of this channel's topic; null when the topic keeps none (then nothing here changes).</summary>
    private readonly ChannelHistory? _history;

    /// <summary>
    /// Set (once, by the topic's feed) when messages this client may have missed are lost: from then on no history
    /// message reaches the client, so that its position stays before the gap and its rejoin is told "not recovered".
    /// </summary>
    private volatile bool _historyGap;

    public ChannelServer(SocketSession session, ChannelRoute route, Message join)
    {
        Session = session;
        _route = route;
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
        if (session.Runtime.History.Find(Topic) is { } history)
        {
            _history = new ChannelHistory(this, session.Runtime.History, history);
        }
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

    public ChannelPhase Phase => ChannelLifecycle.Read(ref _phase);

    public ILogger Log => Session.Runtime.ChannelLog;

    public System.Text.Json.JsonSerializerOptions JsonOptions => Session.Runtime.Json;

    public Channel? Instance => _channel;

    /// <summary>The route this channel was joined through (its pattern and channel class).</summary>
    public ChannelRoute Route => _route;

    /// <summary>This instance's services: its own scope from the join on (the application's root services before).</summary>
    public IServiceProvider Services => _scope?.ServiceProvider ?? Session.Runtime.Services;

    /// <summary>Cancelled when this channel ends, however it ends (leave, crash, connection loss, duplicate join).</summary>
    public CancellationToken Ended
    {
        get
        {
            lock (this)
            {
                return Phase == ChannelPhase.Ended ? new CancellationToken(canceled: true) : (_ended ??= new CancellationTokenSource()).Token;
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
                return Phase == ChannelPhase.Ended
                    ? Task.CompletedTask
                    : (_completion ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    /// <summary>True when nothing waits in the mailbox (the session retires an ended instance only then).</summary>
    public bool IsIdle => PendingCount == 0;

    protected override WorkScheduler Scheduler => Session.Runtime.Scheduler;

    private string ChannelName => _route.ChannelType.Name;

    /// <summary>
    /// Called by the session, under its lock, before the join is posted: the instance this join replaces, and the slot
    /// decision (deferred decisions arrive through <see cref="Admit"/>).
    /// </summary>
    public void Prepare(ChannelServer? replaced, Admission admission)
    {
        if (replaced is not null)
        {
            _predecessor = replaced;
            _predecessorDone = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _admission = admission switch
        {
            Admission.Granted => Granted,
            Admission.Refused => Refused,
            Admission.Cancelled => Task.FromResult(Admission.Cancelled),
            _ => (_admissionSource = new TaskCompletionSource<Admission>(TaskCreationOptions.RunContinuationsAsynchronously)).Task,
        };
    }

    /// <summary>A deferred slot decision was made (outside the session's lock).</summary>
    public void Admit(Admission admission) => _admissionSource?.TrySetResult(admission);

    /// <summary>A client frame routed by the session (under its lock, so that topic order holds).</summary>
    public void PostClient(ChannelMail mail) => Post(mail);

    /// <summary>
    /// A client event routed by the session (under its lock): queued, or, when this instance is idle, claimed (true) for
    /// the session to hand to <see cref="RunClaimedClient"/> once it released its lock.
    /// </summary>
    public bool PostOrClaimClient(ChannelMail mail) => PostOrClaim(mail);

    /// <summary>Handles a claimed client event on the caller's thread (see <see cref="Mailbox{TMessage}.RunClaimed"/>).</summary>
    public void RunClaimedClient(ChannelMail mail) => RunClaimed(mail);

    /// <summary>A later join of this topic replaced this instance; <paramref name="successor"/> waits until this is handled.</summary>
    public void PostReplace(ChannelServer successor) => Post(new ChannelMail(ChannelMailKind.Replace, Info: successor));

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

    /// <summary>PubSub delivery. Runs on the publisher's thread: no user code here, only routing.</summary>
    public void Deliver(string topic, object message)
    {
        if (Phase >= ChannelPhase.Stopping)
        {
            return;
        }

        if (message is BroadcastMessage b && topic == Topic)
        {
            if (b.Position is not null && _history is { } history)
            {
                history.Deliver(b); // from the topic's feed, in position order
                return;
            }

            if (_channel is { } channel && channel.Intercepts.Count > 0 && channel.Intercepts.Contains(b.Event))
            {
                PostServerMail(new ChannelMail(ChannelMailKind.Out, Info: b.Broadcast));
                return;
            }

            SendBroadcast(b);
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

        var @ref = _history is null ? null : ChannelHistory.PushRef.Value; // a push made by HandleOut for a history message carries its position
        SendOrGate(Session.Serializer.EncodePush(new Message(WireJoinRef, @ref, Topic, @event, payload)));
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
        if (_history is { } history)
        {
            history.Publish(@event, payload, excludeSelf ? this : null);
            return;
        }

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
            if (Phase >= ChannelPhase.Stopping)
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

    /// <summary>
    /// A message of this channel's history topic, in position order (replayed or live): the same per-recipient path as a
    /// live broadcast. A channel that intercepts events takes all of them through its mailbox, so that what its client
    /// sees (frames and HandleOut's pushes) keeps the order of positions.
    /// </summary>
    internal void ForwardHistory(BroadcastMessage message, bool replayed)
    {
        if (Phase >= ChannelPhase.Stopping || _historyGap)
        {
            return;
        }

        if (_channel is { Intercepts.Count: > 0 })
        {
            var mail = new ChannelMail(ChannelMailKind.History, Info: message);
            if (replayed)
            {
                Post(mail); // a replay is bounded by the recovery caps, not by the mailbox bound
            }
            else
            {
                PostServerMail(mail);
            }

            return;
        }

        SendBroadcast(message);
    }

    /// <summary>The topic's feed lost messages this channel's client may have missed: stop with an error, so that the client rejoins and recovers.</summary>
    internal void HistoryGap()
    {
        // At once, not when the shutdown mail is handled: the feed hands on what follows the gap right after this call,
        // and a client that saw it would rejoin from beyond the gap and be told "recovered" — a silent loss.
        _historyGap = true;
        if (Phase < ChannelPhase.Stopping)
        {
            PostServerMail(new ChannelMail(ChannelMailKind.Shutdown, Reason: HistoryGapReason));
        }
    }

    protected override void OnHandlerFault(ChannelMail mail, Exception exception) =>
        Log.ChannelCrashed(ChannelName, Topic, exception); // HandleAsync catches everything; this is the last resort

    private void PostServerMail(ChannelMail mail)
    {
        if (Post(mail) > Session.Mount.Options.MaxChannelMailbox)
        {
            ChannelLifecycle.TryMove(ref _phase, ChannelPhase.Joined, ChannelPhase.Overflowed);
        }
    }

    private void SendBroadcast(BroadcastMessage b)
    {
        if (!Session.CanCarry(b.Broadcast.Payload))
        {
            Log.FrameDropped(Topic, $"{Session.Transport.Name}/{Session.Serializer.Name} cannot carry binary payloads");
            return;
        }

        SendOrGate(b.FrameFor(Session.Serializer));
    }

    /// <summary>
    /// Sends a frame of this channel: before the join reply it waits in the gate (so the reply is always first); after
    /// the channel ended it is dropped (it has no client any more: a killed or refused instance never speaks again).
    /// </summary>
    private void SendOrGate(EncodedFrame frame)
    {
        var phase = Phase;
        if (phase <= ChannelPhase.Joining)
        {
            lock (this)
            {
                if (Phase <= ChannelPhase.Joining)
                {
                    (_gated ??= []).Add(frame);
                    return;
                }
            }

            phase = Phase;
        }

        if (phase != ChannelPhase.Ended)
        {
            Session.Send(frame);
        }
    }

    /// <summary>
    /// Writes the join reply, the predecessor's phx_close, then everything that waited for the reply, in order, and
    /// moves to Joined. Frames are written outside the lock; frames gated meanwhile are taken in the next round. False
    /// when the instance was abandoned meanwhile.
    /// </summary>
    private bool OpenGate(EncodedFrame joinReply, ChannelServer? closePredecessor)
    {
        if (Phase != ChannelPhase.Joining)
        {
            return false; // abandoned while it joined: it no longer speaks for the topic
        }

        // Counted before the reply goes out, so whoever saw the reply sees the channel counted, and before the move to
        // Joined, so that an end right after the move (which uncounts) cannot come first.
        Session.Runtime.Metrics.ChannelJoined(Topic);
        Session.Send(joinReply);
        if (closePredecessor is not null)
        {
            Session.SendClose(closePredecessor.WireJoinRef, Topic);
        }

        while (true)
        {
            List<EncodedFrame>? frames;
            lock (this)
            {
                frames = _gated;
                _gated = null;
                if (frames is null)
                {
                    if (ChannelLifecycle.TryMove(ref _phase, ChannelPhase.Joining, ChannelPhase.Joined))
                    {
                        return true;
                    }

                    Session.Runtime.Metrics.ChannelEnded(Topic); // ended from Joining meanwhile, which does not uncount
                    return false;
                }
            }

            foreach (var frame in frames)
            {
                Session.Send(frame);
            }
        }
    }
}
