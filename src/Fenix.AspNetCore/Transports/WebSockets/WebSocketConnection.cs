using System.Buffers;
using System.IO.Pipelines;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;
using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>
/// An accepted WebSocket: a receive loop that parses RFC 6455 frames straight from the connection (zero-byte reads,
/// so an idle connection holds no buffer) and hands messages to its <see cref="SocketSession"/>, and a writer that
/// drains the bounded <see cref="OutboundQueue"/> in batches. Server frames are never masked, so a broadcast's
/// shared bytes go out as they are, behind a two-byte header.
/// </summary>
internal sealed partial class WebSocketConnection : ISocketTransport, ITrackedConnection, IThreadPoolWorkItem
{
    private const int WriteBufferSize = 16 * 1024;

    /// <summary>Largest single write of a large frame's part: bounds what the transport's output pipe holds per connection.</summary>
    private const int LargeWriteSlice = 64 * 1024;

    /// <summary>Larger frames (a big presence_state) always go through the queued writer, which writes them without a copy.</summary>
    private const int MaxInlineFrame = 8 * 1024;

    /// <summary>
    /// A frame is written inline only when the connection's previous writer started at least this long ago: well under
    /// the gap of paced traffic (50 ms at 20 messages/s), well over the gap between frames of a burst.
    /// </summary>
    private static readonly TimeSpan QuietInterval = TimeSpan.FromMilliseconds(20);

    private static readonly TimeSpan ChannelEndTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Zero-byte reads: an idle connection holds no receive buffer. Shared: the options are immutable.</summary>
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    /// <summary>Where frames are written: the upgraded request's stream, or the connection's own output (direct listener).</summary>
    private readonly Stream _output;
    private readonly PipeReader _reader;
    private readonly OutboundQueue _outbound;
    private readonly FenixRuntime _runtime;
    private readonly WebSocketTransportOptions _options;
    private readonly ILogger _log;
    private readonly long _maxOutboundBytes;
    private SocketSession? _session;

    /// <summary>Timestamp of the last bytes received (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    private long _lastActivity;

    /// <summary>When the last writer (inline or queued) started, 0 before the first; written only by the thread taking the writer role.</summary>
    private long _lastWriterStart;

    /// <summary>0 until the first close request or the end of the connection, whichever comes first; the first reason wins.</summary>
    private int _closeRequested;

    /// <summary>Set when the writer failed or the close handshake timed out: stop everything.</summary>
    private volatile bool _aborted;

    /// <summary>
    /// Bounds the close handshake and the last flush: null until the first close (or the end) starts it, then that timer,
    /// then <see cref="EndedTimer.Instance"/> once the end disposed it. Swapped only with Interlocked; whoever swaps a timer
    /// out disposes it, so a close that races the end never leaves a timer behind.
    /// </summary>
    private ITimer? _closeTimer;

    /// <summary>A WebSocket on an upgraded HTTP request's stream.</summary>
    public WebSocketConnection(Stream stream, FenixRuntime runtime, SocketMountOptions mountOptions)
        : this(PipeReader.Create(stream, ReaderOptions), stream, runtime, mountOptions)
    {
    }

    /// <summary>A WebSocket reading <paramref name="input"/> and writing <paramref name="output"/> (the direct listener: the connection's own pipes).</summary>
    public WebSocketConnection(PipeReader input, Stream output, FenixRuntime runtime, SocketMountOptions mountOptions)
    {
        _output = output;
        _reader = input;
        _runtime = runtime;
        _options = mountOptions.WebSocket;
        _log = runtime.SocketLog;
        _maxOutboundBytes = mountOptions.MaxOutboundBytes;
        _outbound = new OutboundQueue(_maxOutboundBytes);
        _lastActivity = runtime.Time.GetTimestamp();
    }

    public string Name => "websocket";

    public bool SupportsBinary => true;

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public TimeSpan IdleTimeout => _options.IdleTimeout;

    /// <summary>Whether a writer holds the role (a write in flight or frames queued); for tests.</summary>
    internal bool IsWriting => _outbound.IsBusy;

    private SocketSession Session => _session ?? throw new InvalidOperationException("The connection has no session yet.");

    public void Attach(SocketSession session) => _session = session;

    /// <summary>Serves the connection until it ends; returns when the close handshake is done or abandoned.</summary>
    public async Task RunAsync()
    {
        _runtime.Connections.Add(this);
        _runtime.Connections.WebSocketOpened();
        Session.Start();
        if (_runtime.Connections.IsDraining)
        {
            Drain(); // accepted while the drain's snapshot was taken: it would not be asked to reconnect
        }
        var reason = TerminateReason.Closed;
        try
        {
            reason = await ReceiveLoopAsync();
        }
        catch (Exception e)
        {
            _log.ReceiveFailed(Session.SocketId, e);
            reason = TerminateReason.Error("transport_error");
        }
        finally
        {
            var channelsEnded = Session.Terminate(reason);
            _runtime.Connections.Remove(this);
            _runtime.Connections.WebSocketClosed();
            if (Interlocked.Exchange(ref _closeRequested, 1) == 0)
            {
                // The peer left without a close handshake: nothing new goes out, and what is queued gets the same time
                // to flush as after a close.
                _outbound.Seal();
                StartCloseTimer();
            }

            // The writer flushed what was queued (a close frame last), or the close timer gave up on it.
            await _outbound.WhenIdle();
            Interlocked.Exchange(ref _closeTimer, EndedTimer.Instance)?.Dispose();
            _aborted = true;
            _outbound.Clear(); // the stream is about to go away: no writer may start after this

            // Hold the request until the channels' terminate callbacks ran, so that a server stopping waits for them
            // (and for the presence leaves they cause) before it stops the services they use.
            try
            {
                await channelsEnded.WaitAsync(ChannelEndTimeout, _runtime.Time);
            }
            catch (TimeoutException)
            {
                // A terminate callback that hangs must not hold the connection (or a server's shutdown) forever.
            }

            await _reader.CompleteAsync();
        }
    }

    public void Send(EncodedFrame frame) =>
        Enqueue(new OutboundItem(frame.Head, frame.IsBinary ? WebSocketOpcode.Binary : WebSocketOpcode.Text, frame.Rest));

    public void Close(TransportCloseReason reason)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _log.Disconnected(Name, _session?.SocketId, reason.Code, reason.Text);
        _outbound.Seal();
        Enqueue(new OutboundItem(WebSocketFraming.EncodeClosePayload(reason.Code, reason.Text), WebSocketOpcode.Close), afterSeal: true);

        // The client should answer with its own close frame; if it does not, stop reading after the timeout.
        StartCloseTimer();
    }

    public void OnIdleTimeout() => Session.Close(TransportCloseReason.IdleTimeout, TerminateReason.Closed);

    public void Drain() => Session.Close(TransportCloseReason.Draining, TerminateReason.Draining);

    void IThreadPoolWorkItem.Execute() => _ = WriteLoopAsync();

    private void StartCloseTimer()
    {
        var timer = _runtime.Time.CreateTimer(static state => ((WebSocketConnection)state!).Abort(), this, _options.CloseTimeout, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _closeTimer, timer, null) is not null)
        {
            timer.Dispose(); // the connection ended meanwhile
        }
    }

    private void Abort()
    {
        if (Volatile.Read(ref _closeTimer) == EndedTimer.Instance)
        {
            return; // fired while the end disposed it: the reader may be completed already
        }

        _aborted = true;
        _outbound.Clear();
        _reader.CancelPendingRead();
    }

    private void Enqueue(OutboundItem item, bool afterSeal = false)
    {
        switch (_outbound.TryEnqueue(item, afterSeal))
        {
            case EnqueueResult.StartWriter:
                if (IsQuiet() && item.Length <= MaxInlineFrame && WriterBatch.TryTakeInlineSlot())
                {
                    WriteInline();
                }
                else
                {
                    StartQueuedWriter();
                }

                break;
            case EnqueueResult.Overflow:
                _log.SlowConsumer(_session?.SocketId, _outbound.QueuedBytes, _maxOutboundBytes);
                _runtime.Metrics.SlowConsumers.Add(1);
                Session.Close(TransportCloseReason.SlowConsumer, TerminateReason.ShutdownWith("slow_consumer"));
                break;
        }
    }

    /// <summary>
    /// Called by the thread that just took the writer role: whether this connection's previous writer started at least
    /// <see cref="QuietInterval"/> ago. A connection receiving frames back to back (a burst) keeps the queued writer, which
    /// coalesces them into one write; one that receives a frame now and then (paced traffic) gets it written inline.
    /// </summary>
    private bool IsQuiet()
    {
        var now = _runtime.Time.GetTimestamp();
        var previous = _lastWriterStart;
        _lastWriterStart = now;
        return previous == 0 || _runtime.Time.GetElapsedTime(previous, now) >= QuietInterval;
    }

    private void StartQueuedWriter()
    {
        if (!WriterBatch.TryAdd(this))
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>
    /// The fast lane: this thread just took the writer role for a frame that found nothing queued, so it writes that one
    /// frame itself (one write into the transport, which copies it). Anything enqueued meanwhile, a write the transport
    /// cannot take at once (a full socket) or a failure goes to the same queued writer as always: the role is held from
    /// the enqueue until released with the queue empty, so frames keep their order and there is still one writer.
    /// </summary>
    private void WriteInline()
    {
        if (_aborted || !_outbound.TryDequeue(out var item, releaseIfEmpty: false))
        {
            StartQueuedWriter(); // it drops what an aborted connection queued, or releases the role of a cleared queue
            return;
        }

        var length = item.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(WebSocketFraming.MaxServerHeaderLength + length);
        var used = WebSocketFraming.WriteServerHeader(buffer, item.Opcode, length);
        CopyPayload(item, buffer.AsSpan(used));
        used += length;
        ValueTask write;
        try
        {
            write = _output.WriteAsync(buffer.AsMemory(0, used));
        }
        catch (Exception e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            FailWriter(e);
            return;
        }

        if (!write.IsCompleted)
        {
            _ = FinishInlineAsync(write, buffer); // backpressure: wait off this thread, then go on as the queued writer
            return;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        try
        {
            write.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            FailWriter(e);
            return;
        }

        if (!_outbound.ReleaseIfEmpty())
        {
            StartQueuedWriter(); // frames arrived while this one was written: the queued writer takes them, in order
        }
    }

    private async Task FinishInlineAsync(ValueTask write, byte[] buffer)
    {
        try
        {
            await write;
        }
        catch (Exception e)
        {
            FailWriter(e);
            return;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await WriteLoopAsync();
    }

    private async Task WriteLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
        var used = 0;
        try
        {
            while (true)
            {
                if (!_outbound.TryDequeue(out var item, releaseIfEmpty: used == 0))
                {
                    if (used == 0)
                    {
                        return;
                    }

                    await _output.WriteAsync(buffer.AsMemory(0, used));
                    used = 0;
                    continue;
                }

                if (_aborted)
                {
                    continue; // drain and drop
                }

                var length = item.Length;
                if (used + WebSocketFraming.MaxServerHeaderLength + length > buffer.Length && used > 0)
                {
                    await _output.WriteAsync(buffer.AsMemory(0, used));
                    used = 0;
                }

                used += WebSocketFraming.WriteServerHeader(buffer.AsSpan(used), item.Opcode, length);
                if (used + length <= buffer.Length)
                {
                    CopyPayload(item, buffer.AsSpan(used));
                    used += length;
                }
                else
                {
                    // A large frame (a big presence_state): its parts go out without a copy of their own, in slices.
                    used = await WritePartAsync(buffer, used, item.Data);
                    if (item.Rest is { } rest)
                    {
                        used = await WritePartAsync(buffer, used, rest.Shared);
                        used = await WritePartAsync(buffer, used, rest.Tail);
                    }
                }
            }
        }
        catch (Exception e)
        {
            FailWriter(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies a frame's payload, all its parts in order, into <paramref name="destination"/>.</summary>
    private static void CopyPayload(in OutboundItem item, Span<byte> destination)
    {
        item.Data.Span.CopyTo(destination);
        item.Rest?.CopyTo(destination[item.Data.Length..]);
    }

    /// <summary>
    /// Appends one part of a large frame after the <paramref name="used"/> bytes of <paramref name="buffer"/>: copied
    /// when it fits, else the buffer is written and then the part itself, in slices of at most
    /// <see cref="LargeWriteSlice"/> (the transport copies each into its output pipe and waits for the socket to take
    /// it, so a connection holds at most about one slice of a large frame, not a copy of all of it). Returns the
    /// buffer's new fill.
    /// </summary>
    private async ValueTask<int> WritePartAsync(byte[] buffer, int used, ReadOnlyMemory<byte> part)
    {
        if (used + part.Length <= buffer.Length)
        {
            part.Span.CopyTo(buffer.AsSpan(used));
            return used + part.Length;
        }

        if (used > 0)
        {
            await _output.WriteAsync(buffer.AsMemory(0, used));
        }

        while (part.Length > LargeWriteSlice)
        {
            await _output.WriteAsync(part[..LargeWriteSlice]);
            part = part[LargeWriteSlice..];
        }

        if (part.Length <= buffer.Length)
        {
            part.Span.CopyTo(buffer);
            return part.Length;
        }

        await _output.WriteAsync(part);
        return 0;
    }

    /// <summary>The writer (holding the role) failed: log, abort the connection, drop what is queued and release the role.</summary>
    private void FailWriter(Exception e)
    {
        if (IsPeerGone(e))
        {
            // A client going away mid-write is normal (a tab closed, a load test ending): no warning, no stack trace.
            _log.PeerGoneWhileWriting(_session?.SocketId, e.GetType().Name, e.Message);
        }
        else
        {
            _log.WriteFailed(_session?.SocketId, e);
        }

        Abort();
        while (_outbound.TryDequeue(out _))
        {
        }
    }

    /// <summary>
    /// Whether an I/O exception only says that the peer is gone: the connection was reset or aborted, or the host already
    /// completed the request and disposed its stream.
    /// </summary>
    private static bool IsPeerGone(Exception e) => e is IOException or ObjectDisposedException or OperationCanceledException;

    /// <summary>What <see cref="_closeTimer"/> holds once the connection ended.</summary>
    private sealed class EndedTimer : ITimer
    {
        public static readonly EndedTimer Instance = new();

        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
