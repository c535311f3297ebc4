using Fenix.Client.Diagnostics;
using Fenix.Client.Internal;
using Fenix.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fenix.Client;

/// <summary>
/// A connection to a Phoenix (or Fenix) socket endpoint that multiplexes channels, mirroring phoenix.js's Socket:
/// heartbeats, reconnect with backoff, a send buffer while disconnected, WebSocket or long poll with fallback.
/// </summary>
/// <remarks>
/// Thread-safety: every member may be called from any thread. All state lives on one dispatch loop per socket;
/// events and handlers (socket, channel, presence) are raised on that loop, one at a time and in arrival order, so
/// handlers of one socket never run concurrently. Handlers should return quickly: a blocked handler stalls the
/// socket. Awaited tasks (<see cref="Channel.PushAsync"/> etc.) never resume on the loop.
/// </remarks>
/// <example>
/// <code>
/// await using var socket = new Socket("ws://localhost:4000/socket", new SocketOptions { Params = () => new { token } });
/// await socket.ConnectAsync();
/// var room = socket.Channel("room:lobby");
/// room.On("new_msg", message => Console.WriteLine(message.Payload));
/// var joined = await room.JoinAsync();
/// var reply = await room.PushAsync("new_msg", new { body = "hi" });
/// </code>
/// </example>
public sealed partial class Socket : IAsyncDisposable
{
    private readonly SocketOptions _options;
    private readonly Uri _endpoint;
    private readonly ILogger _log;
    private readonly BackoffTimer _reconnectTimer;
    private readonly LoopTimer _heartbeatTimer;
    private readonly LoopTimer _heartbeatTimeoutTimer;
    private readonly Lazy<HttpClient> _http;

    /// <summary>Every channel object created and not yet closed; replaced (never mutated) so iteration needs no copy.</summary>
    private Channel[] _channels = [];

    /// <summary>Sends issued while no connection was open, replayed in order on the next open.</summary>
    private readonly List<Action> _sendBuffer = [];

    /// <summary>Callers of <see cref="ConnectAsync"/> waiting for the next open.</summary>
    private readonly List<TaskCompletionSource> _openWaiters = [];

    /// <summary>The current connection (connecting or open); null when disconnected or between attempts.</summary>
    private volatile Connection? _connection;

    /// <summary>The last wire ref handed out; refs are its decimal string.</summary>
    private long _ref;

    /// <summary>The ref of the heartbeat awaiting its reply, if any.</summary>
    private string? _pendingHeartbeatRef;

    /// <summary>True after <see cref="DisconnectAsync"/> (or before the first connect): closes are expected, no reconnect.</summary>
    private bool _closeWasClean = true;

    /// <summary>Changes on every connect, disconnect and transport replacement, so deferred work can tell it is stale.</summary>
    private int _connectClock;

    private volatile TransportKind _transport;
    private bool _disposed;

    public Socket(string endpoint, SocketOptions? options = null)
    {
        _options = options ?? new SocketOptions();
        _endpoint = Internal.EndpointUrl.NormalizeEndpoint(endpoint);
        _log = _options.Logger ?? NullLogger.Instance;
        _transport = _options.Transport;
        Time = _options.TimeProvider;
        Dispatcher = new Dispatcher(_log);
        _reconnectTimer = new BackoffTimer(Dispatcher, Time, _options.ReconnectAfter, OnReconnectTimer);
        _heartbeatTimer = new LoopTimer(Dispatcher, Time, SendHeartbeat);
        _heartbeatTimeoutTimer = new LoopTimer(Dispatcher, Time, OnHeartbeatTimeout);
        _fallbackTimer = new LoopTimer(Dispatcher, Time, () => FallBack("no healthy connection in time"));
        _http = new Lazy<HttpClient>(CreateHttpClient);
    }

    /// <summary>Raised on every successful connection open (after the send buffer was flushed).</summary>
    public event Action? Opened;

    /// <summary>Raised when a connection closes, whoever closed it.</summary>
    public event Action<SocketCloseInfo>? Closed;

    /// <summary>Raised when a transport fails (handshake refused, connection lost, long-poll error status).</summary>
    public event Action<Exception>? Error;

    /// <summary>Raised for every frame received, after the channels handled it.</summary>
    public event Action<Message>? MessageReceived;

    /// <summary>The endpoint, e.g. <c>ws://localhost:4000/socket</c>.</summary>
    public Uri Endpoint => _endpoint;

    public SocketOptions Options => _options;

    /// <summary>The transport in use (long poll after a fallback).</summary>
    public TransportKind Transport => _transport;

    public ConnectionState State => _connection switch
    {
        null => ConnectionState.Closed,
        { IsOpen: true } => ConnectionState.Open,
        { Closing: true } => ConnectionState.Closing,
        _ => ConnectionState.Connecting,
    };

    public bool IsConnected => _connection is { IsOpen: true };

    internal Dispatcher Dispatcher { get; }

    internal TimeProvider Time { get; }

    internal ILogger Log => _log;

    internal IReadOnlyList<Channel> Channels => _channels;

    /// <summary>The WebSocket URL with the current params (evaluated now) and <c>vsn</c>.</summary>
    public Uri EndpointUrl() => Internal.EndpointUrl.WebSocket(_endpoint, _options.Params?.Invoke(), _options.Vsn, _options.JsonOptions);

    /// <summary>Starts connecting (and reconnecting whenever the connection drops) until <see cref="DisconnectAsync"/>.</summary>
    public void Connect() => Post(ConnectCore);

    /// <summary>Starts connecting and completes at the next open. Cancelling stops the wait, not the connecting.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.Register(() => opened.TrySetCanceled(cancellationToken));
        _ = opened.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        Post(() =>
        {
            if (IsConnected)
            {
                opened.TrySetResult();
                return;
            }

            _openWaiters.Add(opened);
            ConnectCore();
        });
        return opened.Task;
    }

    /// <summary>Closes the connection (code 1000 by default) and stops reconnecting; completes once the transport closed.</summary>
    public async Task DisconnectAsync(int code = SocketCloseInfo.NormalClosure, string? reason = null)
    {
        var closing = await Dispatcher.InvokeAsync(() => DisconnectCore(code, reason));
        await closing;
    }

    /// <summary>A channel for <paramref name="topic"/> joined with <paramref name="payload"/> (an object, or a <see cref="Payload"/>).</summary>
    public Channel Channel(string topic, object? payload = null) => Channel(topic, () => payload);

    /// <summary>A channel whose join payload is evaluated at every (re)join, e.g. to send a fresh token.</summary>
    public Channel Channel(string topic, Func<object?> payload) => CreateChannel(topic, payload, null);

    /// <summary>
    /// A channel of a history topic that recovers what it missed at every rejoin (<paramref name="history"/>; see
    /// <see cref="Client.Channel.HistoryJoined"/>), like fenix-history.mjs's <c>historyChannel</c> for phoenix.js. The
    /// join payload (evaluated at every join) must be a JSON object: it gains the recovery request.
    /// </summary>
    public Channel HistoryChannel(string topic, Func<object?> payload, ChannelHistoryOptions history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return CreateChannel(topic, payload, history);
    }

    private Channel CreateChannel(string topic, Func<object?> payload, ChannelHistoryOptions? history)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(payload);
        var channel = new Channel(this, topic, payload, history);
        Post(() => _channels = [.. _channels, channel]);
        return channel;
    }

    /// <summary>Sends a heartbeat and returns the round-trip time of its reply. Throws when not connected.</summary>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var rtt = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.Register(() => rtt.TrySetCanceled(cancellationToken));
        _ = rtt.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        Post(() =>
        {
            if (!Ping(elapsed => rtt.TrySetResult(elapsed), () => rtt.TrySetException(new TransportException("The connection closed before the ping reply."))))
            {
                rtt.TrySetException(new InvalidOperationException("The socket is not connected."));
            }
        });
        return rtt.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Task closing;
        try
        {
            closing = await Dispatcher.InvokeAsync(() => DisconnectCore(SocketCloseInfo.NormalClosure, null));
        }
        catch (ObjectDisposedException)
        {
            closing = Task.CompletedTask;
        }

        await closing;
        await Dispatcher.DisposeAsync();
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
        else
        {
            _options.HttpMessageHandler?.Dispose();
        }
    }

    /// <summary>The next wire ref ("1", "2", ...); loop only.</summary>
    internal string MakeRef()
    {
        _ref = _ref == long.MaxValue ? 1 : _ref + 1;
        return _ref.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    internal void Post(Action work) => Dispatcher.Post(work);

    /// <summary>Completes once everything posted before it ran (tests use it to let the loop settle).</summary>
    internal Task SyncAsync() => Dispatcher.InvokeAsync(() => { });

    internal void Remove(Channel channel) => _channels = Array.FindAll(_channels, c => c != channel);

    /// <summary>Leaves the other channel object joined or joining <paramref name="topic"/>, as a topic is joined once per socket.</summary>
    internal void LeaveOpenTopic(string topic, Channel except)
    {
        foreach (var channel in _channels)
        {
            if (channel != except && channel.Topic == topic && channel.State is ChannelState.Joined or ChannelState.Joining)
            {
                _log.LeavingDuplicate(topic);
                channel.LeaveCore(null);
                return;
            }
        }
    }

    /// <summary>Runs a user handler, logging instead of propagating its exception so the socket's state stays consistent.</summary>
    internal void Raise<T>(Action<T>? handler, T argument)
    {
        if (handler is null)
        {
            return;
        }

        foreach (var single in handler.GetInvocationList())
        {
            try
            {
                ((Action<T>)single)(argument);
            }
            catch (Exception e)
            {
                _log.HandlerFailed(e);
            }
        }
    }

    private void Raise(Action? handler)
    {
        foreach (var single in handler?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action)single)();
            }
            catch (Exception e)
            {
                _log.HandlerFailed(e);
            }
        }
    }

    private HttpClient CreateHttpClient() =>
        new(_options.HttpMessageHandler ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
}
