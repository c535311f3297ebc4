using Fenix.Client.Internal;
using Fenix.Protocol;

namespace Fenix.Client;

/// <summary>
/// A topic on a <see cref="Socket"/>, mirroring phoenix.js's Channel: join once, then the channel rejoins by itself
/// after errors and reconnects (backoff 1 s, 2 s, 5 s, then 10 s) until it is left or closed by the server.
/// Create it with <see cref="Socket.Channel(string, object?)"/>. Handlers run on the socket's dispatch loop.
/// </summary>
public sealed partial class Channel
{
    private readonly Func<object?> _joinPayload;
    private readonly Lock _bindingsGate = new();

    /// <summary>Event bindings; replaced under <see cref="_bindingsGate"/>, read without a lock.</summary>
    private volatile Binding[] _bindings = [];

    private int _nextBindingRef;

    /// <summary>1 once <see cref="JoinAsync"/> was called (a channel object joins only once).</summary>
    private int _joinedOnce;

    private volatile ChannelState _state = ChannelState.Closed;

    internal Channel(Socket socket, string topic, Func<object?> joinPayload, ChannelHistoryOptions? history = null)
    {
        Socket = socket;
        Topic = topic;
        _joinPayload = joinPayload;
        _history = history;
        _timeout = socket.Options.Timeout;
        _joinPush = new PushOperation(this, PhoenixEvents.Join, JoinPayload, _timeout, OnJoinReply);
        _rejoinTimer = new BackoffTimer(socket.Dispatcher, socket.Time, socket.Options.RejoinAfter, OnRejoinTimer);
    }

    /// <summary>Raised on every successful join or rejoin, with the server's join response.</summary>
    public event Action<Payload>? Joined;

    /// <summary>Raised when a join or rejoin is refused (status error) or times out; a rejoin follows while the socket is connected.</summary>
    public event Action<PushReply>? JoinFailed;

    /// <summary>
    /// Raised on <c>phx_error</c>: the server channel crashed (payload e.g. <c>{"reason":"channel_crash"}</c>), or the
    /// connection was lost (local payload <c>{"source":"transport","reason":...}</c>). A rejoin follows.
    /// </summary>
    public event Action<Payload>? Errored;

    /// <summary>Raised when the channel closes for good: after <see cref="LeaveAsync"/>, or on the server's <c>phx_close</c>.</summary>
    public event Action<Payload>? Closed;

    public string Topic { get; }

    public Socket Socket { get; }

    public ChannelState State => _state;

    /// <summary>The ref of the current join (sent with every message of this join); null when not joining or joined.</summary>
    public string? JoinRef => _joinPush.Ref;

    /// <summary>
    /// Joins the topic; completes with the first reply (ok or error) or a timeout. Rejoins continue in the background
    /// (see <see cref="Joined"/>, <see cref="JoinFailed"/>). <paramref name="timeout"/> also becomes the channel's default push timeout.
    /// </summary>
    /// <exception cref="InvalidOperationException">The channel was already joined once.</exception>
    public Task<PushReply> JoinAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _joinedOnce, 1) == 1)
        {
            throw new InvalidOperationException(
                $"The channel '{Topic}' was already joined; a channel object joins once (create a new one with socket.Channel to join again).");
        }

        var first = Completion(cancellationToken);
        Socket.Post(() =>
        {
            _firstJoin = first;
            if (timeout is { } value)
            {
                _timeout = value;
            }

            Rejoin();
        });
        return first.Task;
    }

    /// <summary>
    /// Pushes <paramref name="event"/> with <paramref name="payload"/> (an object serialized to JSON, a <see cref="Payload"/>,
    /// or bytes for a binary frame) and completes with the reply (ok, error, ...) or <c>"timeout"</c>. While the
    /// channel is not joined the push waits in a buffer (its timeout running) and goes out after the next join.
    /// </summary>
    /// <exception cref="InvalidOperationException">The channel was never joined.</exception>
    public Task<PushReply> PushAsync(string @event, object? payload = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(@event);
        if (Volatile.Read(ref _joinedOnce) == 0)
        {
            throw new InvalidOperationException($"Tried to push '{@event}' to '{Topic}' before joining. Call JoinAsync before pushing.");
        }

        var data = Payload.From(payload, Socket.Options.JsonOptions);
        FrameCodec.EnsureEncodable(Topic, @event, data);
        var completion = Completion(cancellationToken);
        Socket.Post(() => PushCore(@event, data, timeout ?? _timeout, completion));
        return completion.Task;
    }

    /// <summary>
    /// Leaves the topic and closes this channel for good. When joined and connected, waits for the server's reply or
    /// the timeout; otherwise closes at once. Completes with the leave reply (local ok when nothing was awaited).
    /// </summary>
    public Task<PushReply> LeaveAsync(TimeSpan? timeout = null)
    {
        var completion = Completion(CancellationToken.None);
        Socket.Post(() => LeaveCore(timeout, completion));
        return completion.Task;
    }

    /// <summary>Calls <paramref name="handler"/> for every <paramref name="event"/> received on this topic; returns a ref for <see cref="Off"/>.</summary>
    public int On(string @event, Action<Message> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_bindingsGate)
        {
            var bindingRef = _nextBindingRef++;
            _bindings = [.. _bindings, new Binding(@event, bindingRef, handler)];
            return bindingRef;
        }
    }

    /// <summary>Removes the binding <paramref name="bindingRef"/> of <paramref name="event"/>, or all its bindings when null.</summary>
    public void Off(string @event, int? bindingRef = null)
    {
        lock (_bindingsGate)
        {
            _bindings = Array.FindAll(_bindings, b => !(b.Event == @event && (bindingRef is null || b.Ref == bindingRef)));
        }
    }

    public override string ToString() => $"{Topic} ({State}, join_ref {JoinRef ?? "none"})";

    private static TaskCompletionSource<PushReply> Completion(CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<PushReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
            _ = completion.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        return completion;
    }

    private Payload JoinPayload() => WithHistoryRequest(Payload.From(_joinPayload(), Socket.Options.JsonOptions));

    private sealed record Binding(string Event, int Ref, Action<Message> Handler);
}
