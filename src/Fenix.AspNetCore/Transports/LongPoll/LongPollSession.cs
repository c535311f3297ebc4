using System.Buffers;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;
using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Transports.LongPoll;

/// <summary>
/// One long-poll "connection": it owns a <see cref="SocketSession"/> like a WebSocket does, buffers the frames
/// for the client between polls (bounded in bytes), and hands them to the next GET. It lives until it is not
/// polled for 1.5 × the window, is disconnected, or overflows.
/// </summary>
internal sealed class LongPollSession : ISocketTransport, ITrackedConnection
{
    private readonly Lock _lock = new();

    /// <summary>
    /// The one token that a POST must hold to dispatch its frames (read to take, written back to release): overlapping
    /// POSTs are handled one after the other, whole, in the order they asked. A channel's waiting readers are served in order.
    /// </summary>
    private readonly System.Threading.Channels.Channel<bool> _publishToken = CreatePublishToken();
    private readonly FenixRuntime _runtime;
    private readonly LongPollTransportOptions _options;
    private readonly ILogger _log;
    private SocketSession? _session;

    /// <summary>Text frames waiting for a poll, in order; under <see cref="_lock"/>.</summary>
    private List<byte[]> _buffer = [];

    /// <summary>Bytes in <see cref="_buffer"/>; under <see cref="_lock"/>.</summary>
    private long _bufferedBytes;

    /// <summary>The parked GET, if any: completed (true) when frames arrive, or (false) when a newer GET replaces it.</summary>
    private TaskCompletionSource<bool>? _waiter;

    /// <summary>Timestamp of the start of the last GET; the session expires 1.5 windows after it.</summary>
    private long _lastPoll;

    /// <summary>Set once, when the session ended; afterwards it is "no session" for every request.</summary>
    private volatile bool _closed;

    /// <summary>End ran (it runs once); under <see cref="_lock"/>.</summary>
    private bool _ended;

    public LongPollSession(string id, string mountPath, FenixRuntime runtime, LongPollTransportOptions options, Action<LongPollSession> onClosed)
    {
        Id = id;
        MountPath = mountPath;
        _runtime = runtime;
        _options = options;
        _log = runtime.SocketLog;
        OnClosed = onClosed;
        _lastPoll = runtime.Time.GetTimestamp();
    }

    public string Id { get; }

    /// <summary>The socket mount this session belongs to.</summary>
    public string MountPath { get; }

    public string Name => "longpoll";

    /// <summary>Long poll carries server frames as JSON strings: never binary (protocol.md §5.5).</summary>
    public bool SupportsBinary => false;

    public bool IsClosed => _closed;

    public long LastActivity => Volatile.Read(ref _lastPoll);

    public TimeSpan IdleTimeout => _options.Window * 1.5;

    public SocketSession Session => _session ?? throw new InvalidOperationException("The long-poll session has no socket session yet.");

    private Action<LongPollSession> OnClosed { get; }

    public void Attach(SocketSession session)
    {
        _session = session;
        _runtime.Connections.Add(this);
        session.Start();
        if (_runtime.Connections.IsDraining)
        {
            Drain(); // opened during the drain: it would not be asked to reconnect
        }
    }

    public void Send(EncodedFrame frame)
    {
        if (frame.IsBinary)
        {
            _log.FrameDropped("(long poll)", "binary frames cannot be sent over long poll");
            return;
        }

        TaskCompletionSource<bool>? waiter = null;
        long overflowAt = -1;
        var length = frame.Length;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            if (_bufferedBytes + length > _options.MaxBufferedBytes)
            {
                overflowAt = _bufferedBytes;
            }
            else
            {
                _buffer.Add(frame.ToArray());
                _bufferedBytes += length;
                waiter = _waiter;
                _waiter = null;
            }
        }

        if (overflowAt >= 0)
        {
            // Nobody polls while the topics stay busy: give up on the session rather than buffer without bound.
            _log.SlowConsumer(_session?.SocketId, overflowAt, _options.MaxBufferedBytes);
            _runtime.Metrics.SlowConsumers.Add(1);
            End(TerminateReason.ShutdownWith("slow_consumer"));
            return;
        }

        waiter?.TrySetResult(true);
    }

    public void Close(TransportCloseReason reason)
    {
        _log.Disconnected(Name, _session?.SocketId, reason.Code, reason.Text);
        End(TerminateReason.Closed);
    }

    public void OnIdleTimeout() => End(TerminateReason.Inactive);

    public void Drain() => Session.Close(TransportCloseReason.Draining, TerminateReason.Draining);

    /// <summary>
    /// A GET: returns the buffered frames at once if there are any, else waits up to the window for some.
    /// A newer GET for the same session releases this one (it answers with nothing).
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> PollAsync(CancellationToken aborted)
    {
        Volatile.Write(ref _lastPoll, _runtime.Time.GetTimestamp());
        TaskCompletionSource<bool>? replaced;
        TaskCompletionSource<bool> waiter;
        lock (_lock)
        {
            if (_buffer.Count > 0 || _closed)
            {
                return TakeBuffered();
            }

            replaced = _waiter;
            waiter = _waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        replaced?.TrySetResult(false);
        try
        {
            // The window runs on the runtime's clock, so tests move it with a fake one.
            await waiter.Task.WaitAsync(_options.Window, _runtime.Time, aborted);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }

        lock (_lock)
        {
            if (_waiter == waiter)
            {
                _waiter = null;
            }

            if (waiter.Task.IsCompleted && !waiter.Task.Result)
            {
                return []; // a newer poll took over; the frames are for it
            }

            if (aborted.IsCancellationRequested)
            {
                return [];
            }

            Volatile.Write(ref _lastPoll, _runtime.Time.GetTimestamp());
            return TakeBuffered();
        }
    }

    /// <summary>
    /// A POST: decodes <paramref name="body"/> into frames (all of them first, so a malformed line dispatches none) and
    /// hands them to the socket in order, waiting (up to the window) whenever the socket is overloaded.
    /// </summary>
    /// <returns>200; 400 with the reason when the body is malformed; 408 when the socket did not catch up in time (or an earlier POST held it that long).</returns>
    public async Task<(int Status, string? Error)> PublishAsync(ReadOnlySequence<byte> body, string? contentType, CancellationToken aborted)
    {
        List<Message> messages;
        try
        {
            messages = LongPollRequestBody.Decode(body, contentType, Session.Serializer, _options.MaxLinesPerPost);
        }
        catch (MessageDecodeException e)
        {
            // The session stays intact: only this request is refused, and none of its frames were dispatched.
            _log.UndecodableFrame(Session.SocketId, e.Message);
            return (400, e.Message);
        }

        // Overlapping POSTs of one session (a client that does not wait for the previous answer) queue here without
        // blocking a thread; each is dispatched whole, in the order they got here, so one topic's frames stay in order.
        using (var timeout = new CancellationTokenSource(_options.Window, _runtime.Time))
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, aborted))
        {
            try
            {
                await _publishToken.Reader.ReadAsync(waiting.Token);
            }
            catch (OperationCanceledException)
            {
                return (408, null);
            }
        }

        try
        {
            foreach (var message in messages)
            {
                Session.HandleInbound(message);
                if (Session.IsOverloaded && !await WaitForCapacityAsync(aborted))
                {
                    return (408, null);
                }
            }

            return (200, null);
        }
        finally
        {
            _publishToken.Writer.TryWrite(true);
        }
    }

    /// <summary>Ends the session (once): its channels terminate with <paramref name="reason"/> and a parked GET is released.</summary>
    public void End(TerminateReason reason)
    {
        TaskCompletionSource<bool>? waiter;
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            _closed = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult(false);
        _runtime.Connections.Remove(this);
        _session?.Terminate(reason);
        OnClosed(this);
    }

    private async Task<bool> WaitForCapacityAsync(CancellationToken aborted)
    {
        try
        {
            await Session.WaitForCapacityAsync().WaitAsync(_options.Window, _runtime.Time, aborted);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    private static System.Threading.Channels.Channel<bool> CreatePublishToken()
    {
        var token = System.Threading.Channels.Channel.CreateBounded<bool>(1);
        token.Writer.TryWrite(true);
        return token;
    }

    private List<byte[]> TakeBuffered()
    {
        var frames = _buffer;
        _buffer = [];
        _bufferedBytes = 0;
        return frames;
    }
}
