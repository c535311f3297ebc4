using Fenix.Client.Diagnostics;
using Fenix.Client.Internal;
using Fenix.Protocol;

namespace Fenix.Client;

/// <summary>The join state machine, reply routing and event dispatch. Everything here runs on the socket loop.</summary>
public sealed partial class Channel
{
    /// <summary>The <c>phx_close</c> payload of a local close after a leave, as phoenix.js sends it.</summary>
    private static readonly Payload LeavePayload = Payload.FromUtf8Json("\"leave\""u8.ToArray());

    private readonly PushOperation _joinPush;
    private readonly BackoffTimer _rejoinTimer;

    /// <summary>Pushes made while not joined, sent after the next successful join (unless timed out or cancelled).</summary>
    private readonly List<(PushOperation Push, TaskCompletionSource<PushReply> Completion)> _pushBuffer = [];

    /// <summary>Pushes awaiting a reply, by the ref of their current send.</summary>
    private readonly Dictionary<string, PushOperation> _replyWaiters = new(StringComparer.Ordinal);

    private TimeSpan _timeout;

    /// <summary>Closed for good (left or closed by the server): never rejoins.</summary>
    private bool _finished;

    /// <summary>The caller of <see cref="JoinAsync"/>, until the first join reply.</summary>
    private TaskCompletionSource<PushReply>? _firstJoin;

    /// <summary>The leave in progress, if any.</summary>
    private PushOperation? _leavePush;

    private bool CanPush => Socket.IsConnected && _state == ChannelState.Joined;

    internal void AwaitReply(string @ref, PushOperation push) => _replyWaiters[@ref] = push;

    internal void ForgetReply(string @ref, PushOperation push)
    {
        if (_replyWaiters.TryGetValue(@ref, out var waiting) && waiting == push)
        {
            _replyWaiters.Remove(@ref);
        }
    }

    /// <summary>Frames for this topic are ours unless they carry a join_ref of another (earlier) join.</summary>
    internal bool IsMember(Message message)
    {
        if (message.Topic != Topic)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(message.JoinRef) && message.JoinRef != JoinRef)
        {
            Socket.Log.DroppingOutdated(Topic, message.Event, message.JoinRef, JoinRef);
            return false;
        }

        return true;
    }

    /// <summary>Handles a frame (or a local event): the state machine first, then <see cref="On"/> handlers.</summary>
    internal void Trigger(Message message, PushReply? reply)
    {
        switch (message.Event)
        {
            case PhoenixEvents.Close:
                OnClose();
                Socket.Raise(Closed, message.Payload);
                break;
            case PhoenixEvents.Error:
                OnError(message.Payload);
                Socket.Raise(Errored, message.Payload);
                break;
            case PhoenixEvents.Reply when message.Ref is not null && reply is not null:
                if (message.Ref == JoinRef && _state is ChannelState.Joining)
                {
                    OnHistoryJoinReply(message);
                }

                if (_replyWaiters.TryGetValue(message.Ref, out var push))
                {
                    push.Trigger(reply);
                }

                break;
            default:
                TrackHistoryPosition(message);
                break;
        }

        var delivered = message.JoinRef is null ? message with { JoinRef = JoinRef } : message;
        foreach (var binding in _bindings)
        {
            if (binding.Event == message.Event)
            {
                Socket.Raise(binding.Handler, delivered);
            }
        }
    }

    /// <summary>The connection this channel relied on failed: a local <c>phx_error</c>.</summary>
    internal void TriggerTransportError(string reason)
    {
        var payload = Payload.From(new Dictionary<string, string> { ["source"] = "transport", ["reason"] = reason });
        Trigger(new Message(null, null, Topic, PhoenixEvents.Error, payload), null);
    }

    internal void OnSocketOpen()
    {
        _rejoinTimer.Reset();
        if (_state == ChannelState.Errored)
        {
            Rejoin();
        }
    }

    internal void OnSocketError() => _rejoinTimer.Reset();

    internal void LeaveCore(TimeSpan? timeout, TaskCompletionSource<PushReply>? completion = null)
    {
        if (_state == ChannelState.Closed)
        {
            // Never joined, or already closed: nothing to tell the server.
            _finished = true;
            Socket.Remove(this);
            completion?.TrySetResult(PushReply.LocalOk);
            return;
        }

        _rejoinTimer.Reset();
        _joinPush.CancelTimeout();
        var pushable = CanPush;
        _state = ChannelState.Leaving;
        var leave = new PushOperation(this, PhoenixEvents.Leave, () => Payload.Empty, timeout ?? _timeout, reply =>
        {
            CloseAfterLeave();
            completion?.TrySetResult(reply);
        });
        _leavePush = leave;
        leave.Send();

        // Unlike phoenix.js (which always closes at once), wait for the server only when it can answer.
        if (!pushable)
        {
            leave.Trigger(PushReply.LocalOk);
        }
    }

    private void Rejoin()
    {
        if (_state == ChannelState.Leaving || _finished)
        {
            _firstJoin?.TrySetCanceled();
            _firstJoin = null;
            return;
        }

        Socket.LeaveOpenTopic(Topic, this);
        _state = ChannelState.Joining;
        _joinPush.Resend(_timeout);
    }

    private void OnRejoinTimer()
    {
        if (Socket.IsConnected && _state == ChannelState.Errored)
        {
            Rejoin();
        }
    }

    private void OnJoinReply(PushReply reply)
    {
        if (_state is ChannelState.Joining)
        {
            switch (reply.Status)
            {
                case ReplyStatus.Ok:
                    _state = ChannelState.Joined;
                    Socket.Log.ChannelJoined(Topic, JoinRef);
                    _rejoinTimer.Reset();
                    FlushPushBuffer();
                    Socket.Raise(Joined, reply.Response);
                    break;
                case ReplyStatus.Error:
                    _state = ChannelState.Errored;
                    Socket.Log.ChannelRefused(Topic, reply.Response.ToString());
                    ScheduleRejoin();
                    Socket.Raise(JoinFailed, reply);
                    break;
                case PushReply.TimeoutStatus:
                    Socket.Log.ChannelJoinTimeout(Topic, JoinRef, _joinPush.Timeout);

                    // Tell the server to drop the join it may still complete (carries the timed-out join_ref).
                    new PushOperation(this, PhoenixEvents.Leave, () => Payload.Empty, _timeout, _ => { }).Send();
                    _state = ChannelState.Errored;
                    _joinPush.Reset();
                    ScheduleRejoin();
                    Socket.Raise(JoinFailed, reply);
                    break;
            }
        }

        _firstJoin?.TrySetResult(reply);
        _firstJoin = null;
    }

    private void ScheduleRejoin()
    {
        if (Socket.IsConnected)
        {
            _rejoinTimer.ScheduleTimeout();
        }
    }

    private void PushCore(string @event, Payload payload, TimeSpan timeout, TaskCompletionSource<PushReply> completion)
    {
        if (completion.Task.IsCompleted)
        {
            return; // cancelled before it got here
        }

        var push = new PushOperation(this, @event, () => payload, timeout, reply => completion.TrySetResult(reply));
        if (CanPush)
        {
            push.Send();
        }
        else
        {
            push.StartTimeout();
            _pushBuffer.Add((push, completion));
        }
    }

    private void FlushPushBuffer()
    {
        var buffered = _pushBuffer.ToArray();
        _pushBuffer.Clear();
        foreach (var (push, completion) in buffered)
        {
            if (completion.Task.IsCompleted)
            {
                push.Reset(); // timed out or cancelled: never sent
            }
            else
            {
                push.Send();
            }
        }
    }

    private void OnClose()
    {
        _rejoinTimer.Reset();
        _joinPush.CancelTimeout();
        Socket.Log.ChannelClosed(Topic, JoinRef);
        _state = ChannelState.Closed;
        _finished = true;
        Socket.Remove(this);
        _firstJoin?.TrySetCanceled();
        _firstJoin = null;

        // Closed by the server while our leave was awaiting its reply: that reply will not be routed anymore.
        if (_leavePush is { Received: null, Ref: not null } leave)
        {
            leave.Trigger(PushReply.LocalOk);
        }
    }

    private void OnError(Payload payload)
    {
        Socket.Log.ChannelErrored(Topic, payload.ToString());

        // A channel being left stays left (phoenix.js avoids the question by closing at once on leave).
        if (_state is ChannelState.Leaving or ChannelState.Closed)
        {
            return;
        }

        if (_state == ChannelState.Joining)
        {
            _joinPush.Reset();
        }

        _state = ChannelState.Errored;
        ScheduleRejoin();
    }

    private void CloseAfterLeave()
    {
        if (_state != ChannelState.Closed)
        {
            Trigger(new Message(JoinRef, null, Topic, PhoenixEvents.Close, LeavePayload), null);
        }
    }
}
