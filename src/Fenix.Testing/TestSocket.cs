using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;
using Fenix.PubSub;

namespace Fenix.Testing;

/// <summary>The outcome of a join: the reply's status and response.</summary>
public sealed record JoinReply(string Status, Payload Response)
{
    public bool IsOk => Status == ReplyStatus.Ok;
}

/// <summary>
/// A connected in-memory socket. Join topics, push events, and assert on pushes, replies and broadcasts with
/// default timeouts. Every frame is really encoded (V2) and decoded, so assertions see what a client would.
/// </summary>
public sealed class TestSocket
{
    private readonly ChannelTestHost _host;
    private readonly SocketSession _session;
    private readonly TestTransport _transport;
    private readonly Inbox<ReceivedFrame> _frames;
    private readonly Inbox<Broadcast> _broadcasts = new();
    private readonly Dictionary<string, string> _joinRefs = [];
    private readonly Dictionary<string, BroadcastRecorder> _recorders = [];
    private int _nextRef;

    internal TestSocket(ChannelTestHost host, SocketSession session, TestTransport transport, Inbox<ReceivedFrame> frames)
    {
        _host = host;
        _session = session;
        _transport = transport;
        _frames = frames;
    }

    /// <summary>The socket id (from the socket class, or given to the test host).</summary>
    public string? Id => _session.SocketId;

    public Assigns Assigns => _session.Assigns;

    /// <summary>Every frame received so far, in order.</summary>
    public IReadOnlyList<ReceivedFrame> Received => _frames.History;

    /// <summary>The close code the server asked for (e.g. 1001 after a disconnect broadcast), or null while open.</summary>
    public int? CloseCode => _transport.CloseReason?.Code;

    /// <summary>Joins <paramref name="topic"/> and returns the reply; also records broadcasts on the topic for <see cref="AssertBroadcastAsync"/>.</summary>
    public async Task<JoinReply> JoinAsync(string topic, object? payload = null)
    {
        RecordBroadcasts(topic);
        var @ref = NextRef();
        lock (_joinRefs)
        {
            _joinRefs[topic] = @ref;
        }

        _session.HandleInbound(new Message(@ref, @ref, topic, PhoenixEvents.Join, Payload.From(payload)));
        var reply = await _frames.TakeAsync(f => f.IsReply && f.Ref == @ref, _host.AssertTimeout)
            ?? throw Missing($"a reply to the join of {topic}");
        return new JoinReply(reply.Status!, reply.Payload);
    }

    /// <summary>Joins and throws unless the join succeeded.</summary>
    public async Task<Payload> JoinOkAsync(string topic, object? payload = null)
    {
        var reply = await JoinAsync(topic, payload);
        return reply.IsOk ? reply.Response : throw new ChannelAssertionException($"Expected the join of {topic} to succeed, but it was refused: {reply.Status} {reply.Response}");
    }

    /// <summary>Pushes a client event; returns its ref for <see cref="AssertReplyAsync"/>.</summary>
    public string Push(string topic, string @event, object? payload = null)
    {
        var @ref = NextRef();
        _session.HandleInbound(new Message(JoinRefOf(topic), @ref, topic, @event, Payload.From(payload)));
        return @ref;
    }

    /// <summary>Pushes with an explicit join_ref (e.g. a stale one, or null); returns the ref.</summary>
    public string PushWithJoinRef(string topic, string @event, string? joinRef, object? payload = null)
    {
        var @ref = NextRef();
        _session.HandleInbound(new Message(joinRef, @ref, topic, @event, Payload.From(payload)));
        return @ref;
    }

    /// <summary>Sends <c>phx_leave</c> and waits for its reply.</summary>
    public async Task<ReceivedFrame> LeaveAsync(string topic)
    {
        var @ref = Push(topic, PhoenixEvents.Leave);
        return await AssertReplyAsync(@ref, ReplyStatus.Ok);
    }

    /// <summary>Waits for the reply to <paramref name="ref"/> with <paramref name="status"/> and, if given, <paramref name="response"/>.</summary>
    public async Task<ReceivedFrame> AssertReplyAsync(string @ref, string status, object? response = null) =>
        await _frames.TakeAsync(f => f.IsReply && f.Ref == @ref && f.Status == status && JsonAssert.Matches(f.Payload, response), _host.AssertTimeout)
            ?? throw Missing($"a reply to ref {@ref} with status \"{status}\"{(response is null ? "" : $" and response {Payload.From(response)}")}", _frames.History.FirstOrDefault(f => f.IsReply && f.Ref == @ref) is { } other ? $"The reply to ref {@ref} was: {other}." : null);

    /// <summary>Waits for a push of <paramref name="event"/> (and <paramref name="payload"/> when given) to this socket.</summary>
    public async Task<ReceivedFrame> AssertPushAsync(string @event, object? payload = null, string? topic = null) =>
        await _frames.TakeAsync(f => !f.IsReply && f.Event == @event && (topic is null || f.Topic == topic) && JsonAssert.Matches(f.Payload, payload), _host.AssertTimeout)
            ?? throw Missing($"a push {@event}{Expecting(payload)}{(topic is null ? "" : $" on {topic}")}");

    /// <summary>Waits for a push whose payload satisfies <paramref name="match"/>.</summary>
    public async Task<ReceivedFrame> AssertPushAsync(string @event, Func<Payload, bool> match) =>
        await _frames.TakeAsync(f => !f.IsReply && f.Event == @event && match(f.Payload), _host.AssertTimeout)
            ?? throw Missing($"a push {@event} matching the predicate");

    /// <summary>
    /// Asserts that no push of <paramref name="event"/> (and <paramref name="payload"/> when given), not taken by an earlier
    /// assertion, came to this socket before the reply to <paramref name="barrierRef"/>: a push the test made after the
    /// action whose effect must be absent (often the action's own reply: what a channel pushes while handling an event
    /// reaches the socket before that event's reply). Deterministic, unlike <see cref="RefutePushAsync"/>'s time window.
    /// </summary>
    public async Task RefutePushBeforeReplyAsync(string @event, string barrierRef, object? payload = null)
    {
        var barrier = _frames.History.FirstOrDefault(f => f.IsReply && f.Ref == barrierRef)
            ?? await _frames.TakeAsync(f => f.IsReply && f.Ref == barrierRef, _host.AssertTimeout)
            ?? throw Missing($"the barrier's reply to ref {barrierRef}");
        var found = _frames.UntakenBefore(barrier).FirstOrDefault(f => !f.IsReply && f.Event == @event && JsonAssert.Matches(f.Payload, payload));
        if (found is not null)
        {
            throw new ChannelAssertionException($"Expected no push {@event}{Expecting(payload)} before the reply to ref {barrierRef}, but received: {found}");
        }
    }

    /// <summary>Asserts that no push of <paramref name="event"/> arrives within the refute timeout (Phoenix's
    /// <c>refute_push</c>); prefer <see cref="RefutePushBeforeReplyAsync"/>, which needs no waiting.</summary>
    public async Task RefutePushAsync(string @event, object? payload = null)
    {
        var frame = await _frames.TakeAsync(f => !f.IsReply && f.Event == @event && JsonAssert.Matches(f.Payload, payload), _host.RefuteTimeout);
        if (frame is not null)
        {
            throw Unexpected($"push {@event}{Expecting(payload)}", frame.ToString());
        }
    }

    /// <summary>Asserts that no reply to <paramref name="ref"/> arrives within the refute timeout.</summary>
    public async Task RefuteReplyAsync(string @ref)
    {
        var frame = await _frames.TakeAsync(f => f.IsReply && f.Ref == @ref, _host.RefuteTimeout);
        if (frame is not null)
        {
            throw Unexpected($"reply to ref {@ref}", frame.ToString());
        }
    }

    /// <summary>Waits for a broadcast of <paramref name="event"/> on a topic this socket joined (sent by anyone, including this socket's channel).</summary>
    public async Task<Broadcast> AssertBroadcastAsync(string @event, object? payload = null) =>
        await _broadcasts.TakeAsync(b => b.Event == @event && JsonAssert.Matches(b.Payload, payload), _host.AssertTimeout)
            ?? throw new ChannelAssertionException(
                $"Expected a broadcast {@event}{Expecting(payload)} within {_host.AssertTimeout.TotalMilliseconds} ms, but none came. Broadcasts not yet asserted:\n  {_broadcasts.Describe()}");

    public async Task RefuteBroadcastAsync(string @event, object? payload = null)
    {
        var broadcast = await _broadcasts.TakeAsync(b => b.Event == @event && JsonAssert.Matches(b.Payload, payload), _host.RefuteTimeout);
        if (broadcast is not null)
        {
            throw Unexpected($"broadcast {@event}{Expecting(payload)}", $"{broadcast.Event} {broadcast.Payload}");
        }
    }

    /// <summary>Closes the connection; returns when every channel has terminated (with <see cref="TerminateReason.Closed"/>,
    /// or the reason the server closed for).</summary>
    public async Task CloseAsync()
    {
        _transport.Close(TransportCloseReason.Normal);
        await _session.Terminate(TerminateReason.Closed).WaitAsync(TimeSpan.FromSeconds(10));
        lock (_recorders)
        {
            foreach (var (topic, recorder) in _recorders)
            {
                _host.Runtime.PubSub.Unsubscribe(topic, recorder);
            }

            _recorders.Clear();
        }
    }

    private string NextRef() => Interlocked.Increment(ref _nextRef).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string? JoinRefOf(string topic)
    {
        lock (_joinRefs)
        {
            return _joinRefs.GetValueOrDefault(topic);
        }
    }

    private void RecordBroadcasts(string topic)
    {
        lock (_recorders)
        {
            if (!_recorders.ContainsKey(topic))
            {
                var recorder = new BroadcastRecorder(_broadcasts);
                _recorders[topic] = recorder;
                _host.Runtime.PubSub.Subscribe(topic, recorder);
            }
        }
    }

    /// <summary>An assertion that waited <see cref="ChannelTestHost.AssertTimeout"/> for <paramref name="expected"/> in vain.</summary>
    private ChannelAssertionException Missing(string expected, string? hint = null) =>
        new($"Expected {expected} within {_host.AssertTimeout.TotalMilliseconds} ms, but none came.{(hint is null ? "" : " " + hint)} Frames received and not yet asserted:\n  {_frames.Describe()}");

    /// <summary>A refutation that saw <paramref name="received"/> within <see cref="ChannelTestHost.RefuteTimeout"/>.</summary>
    private ChannelAssertionException Unexpected(string refuted, string received) =>
        new($"Expected no {refuted} within {_host.RefuteTimeout.TotalMilliseconds} ms, but received: {received}");

    private static string Expecting(object? payload) => payload is null ? "" : $" with {Payload.From(payload)}";

    private sealed class BroadcastRecorder(Inbox<Broadcast> inbox) : ISubscriber
    {
        public void Deliver(string topic, object message)
        {
            if (message is BroadcastMessage broadcast)
            {
                inbox.Add(broadcast.Broadcast);
            }
        }
    }
}
