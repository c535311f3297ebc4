using Fenix.Protocol;

namespace Fenix.Client.Internal;

/// <summary>
/// One message a channel sends and whose reply it awaits (phoenix.js's Push): each send takes a fresh ref and
/// starts the timeout; the first reply for that ref, or the timeout, is reported once per send. Loop-owned.
/// </summary>
internal sealed class PushOperation
{
    private readonly Channel _channel;
    private readonly Func<Payload> _payload;
    private readonly Action<PushReply> _onReply;
    private readonly LoopTimer _timeoutTimer;

    public PushOperation(Channel channel, string @event, Func<Payload> payload, TimeSpan timeout, Action<PushReply> onReply)
    {
        _channel = channel;
        Event = @event;
        _payload = payload;
        Timeout = timeout;
        _onReply = onReply;
        _timeoutTimer = new LoopTimer(channel.Socket.Dispatcher, channel.Socket.Time, () => Trigger(PushReply.Timeout));
    }

    public string Event { get; }

    public TimeSpan Timeout { get; private set; }

    /// <summary>The ref of the current send (also the channel's join_ref when this is the join push); null after a reset.</summary>
    public string? Ref { get; private set; }

    /// <summary>The reply to the current send, once it came (or timed out).</summary>
    public PushReply? Received { get; private set; }

    public void Resend(TimeSpan timeout)
    {
        Timeout = timeout;
        Reset();
        Send();
    }

    /// <summary>Sends with a fresh ref, unless this push already timed out (a timed-out buffered push is never sent).</summary>
    public void Send()
    {
        if (Received is { IsTimeout: true })
        {
            return;
        }

        StartTimeout();
        _channel.Socket.Push(new Message(_channel.JoinRef, Ref, _channel.Topic, Event, _payload()), _channel);
    }

    /// <summary>Takes a fresh ref and starts the timeout without sending (for pushes buffered until the join).</summary>
    public void StartTimeout()
    {
        CancelTimeout();
        ForgetRef();
        Ref = _channel.Socket.MakeRef();
        _channel.AwaitReply(Ref, this);
        _timeoutTimer.Schedule(Timeout);
    }

    /// <summary>Reports a reply (from the server, or a local one such as the timeout) for the current send.</summary>
    public void Trigger(PushReply reply)
    {
        ForgetRef();
        CancelTimeout();
        Received = reply;
        _onReply(reply);
    }

    public void CancelTimeout() => _timeoutTimer.Cancel();

    /// <summary>Forgets the current send: its reply or timeout will not be reported.</summary>
    public void Reset()
    {
        ForgetRef();
        CancelTimeout();
        Ref = null;
        Received = null;
    }

    private void ForgetRef()
    {
        if (Ref is not null)
        {
            _channel.ForgetReply(Ref, this);
        }
    }
}
