using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Fenix.Protocol;

namespace Fenix.Client.Transports;

/// <summary>
/// The WebSocket transport over <see cref="ClientWebSocket"/>: one task connects and then receives, a writer task
/// drains the send queue (a <see cref="ClientWebSocket"/> allows one sender and one receiver at a time). Closing
/// sends the queued frames first, then the close frame, and aborts if the server does not answer in time.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The run owns its ClientWebSocket (disposed when the run ends) and a timer-less cancellation source; a timer-less CancellationTokenSource needs no disposal.")]
internal sealed class WebSocketTransport : ITransport
{
    private const string AuthTokenPrefix = "base64url.bearer.phx.";
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly Uri _url;
    private readonly ITransportEvents _events;
    private readonly SocketOptions _options;
    private readonly ClientWebSocket _webSocket = new();
    private readonly System.Threading.Channels.Channel<EncodedFrame> _outbound =
        System.Threading.Channels.Channel.CreateUnbounded<EncodedFrame>(new() { SingleReader = true });

    private readonly CancellationTokenSource _connectAbort = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>0 until <see cref="Close"/>; the first request wins.</summary>
    private int _closeRequested;

    /// <summary>The close frame to send: ours when we close, the server's echoed when it closes first.</summary>
    private (WebSocketCloseStatus Status, string? Reason) _closeFrame = (WebSocketCloseStatus.Empty, null);

    /// <summary>Guarded by locking <see cref="_outbound"/>: the close timer and the end of the run.</summary>
    private ITimer? _closeTimer;

    private bool _finished;

    public WebSocketTransport(Uri url, string? authToken, SocketOptions options, ITransportEvents events)
    {
        _url = url;
        _events = events;
        _options = options;
        if (authToken is not null)
        {
            // As phoenix.js: standard Base64 without padding, which Phoenix decodes. AddSubProtocol rejects its '/', so the
            // token entry goes in as a raw header; "phoenix" is added normally because the server echoes it.
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(authToken)).TrimEnd('=');
            _webSocket.Options.AddSubProtocol("phoenix");
            _webSocket.Options.SetRequestHeader("Sec-WebSocket-Protocol", AuthTokenPrefix + encoded);
        }

        _webSocket.Options.CollectHttpResponseDetails = true;
        options.ConfigureWebSocket?.Invoke(_webSocket.Options);
    }

    public bool SkipHeartbeat => false;

    public Task Completion => _completion.Task;

    public void Start() => _ = Task.Run(RunAsync);

    public void Send(EncodedFrame frame) => _outbound.Writer.TryWrite(frame);

    public void Close(int? code, string? reason)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _closeFrame = (code is { } value ? (WebSocketCloseStatus)value : WebSocketCloseStatus.Empty, code is null ? null : reason ?? "");
        BeginClosing();
        _connectAbort.Cancel();
    }

    /// <summary>Lets the writer send what is queued and then the close frame; aborts if the server does not answer in time.</summary>
    private void BeginClosing()
    {
        _outbound.Writer.TryComplete();
        lock (_outbound)
        {
            if (!_finished)
            {
                _closeTimer = _options.TimeProvider.CreateTimer(_ => _webSocket.Abort(), null, CloseTimeout, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private bool CloseRequested => Volatile.Read(ref _closeRequested) != 0;

    private async Task RunAsync()
    {
        SocketCloseInfo close;
        try
        {
            close = await ConnectAndReceiveAsync();
        }
        catch (Exception e)
        {
            if (!CloseRequested)
            {
                var status = _webSocket.HttpStatusCode is 0 ? (int?)null : (int)_webSocket.HttpStatusCode;
                _events.OnError(new TransportException($"WebSocket failed: {e.Message}", status, e));
            }

            close = new SocketCloseInfo(SocketCloseInfo.Abnormal, e.Message, false);
            _webSocket.Abort();
        }
        finally
        {
            _outbound.Writer.TryComplete();
        }

        lock (_outbound)
        {
            _closeTimer?.Dispose();
            _finished = true;
        }

        _webSocket.Dispose();
        _events.OnClose(close);
        _completion.TrySetResult();
    }

    private async Task<SocketCloseInfo> ConnectAndReceiveAsync()
    {
        using (var timeout = new CancellationTokenSource(_options.ConnectTimeout, _options.TimeProvider))
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _connectAbort.Token))
        {
            try
            {
                await _webSocket.ConnectAsync(_url, connect.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !CloseRequested)
            {
                throw new TimeoutException($"The WebSocket handshake did not complete within {_options.ConnectTimeout}.");
            }
        }

        if (CloseRequested)
        {
            // Closed while connecting: the connection is not wanted anymore.
            return new SocketCloseInfo(SocketCloseInfo.Abnormal, "closed while connecting", false);
        }

        _events.OnOpen();
        var writer = WriteLoopAsync();
        var close = await ReceiveLoopAsync();

        // Server-initiated close: echo it after the queued frames, as the protocol asks.
        if (Interlocked.Exchange(ref _closeRequested, 1) == 0)
        {
            var echo = close.Code == SocketCloseInfo.NoStatus ? WebSocketCloseStatus.Empty : (WebSocketCloseStatus)close.Code;
            _closeFrame = (echo, echo == WebSocketCloseStatus.Empty ? null : close.Reason);
            BeginClosing();
        }

        await writer;
        return close;
    }

    private async Task<SocketCloseInfo> ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await _webSocket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var code = (int?)_webSocket.CloseStatus ?? SocketCloseInfo.NoStatus;
                    return new SocketCloseInfo(code, _webSocket.CloseStatusDescription, true);
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    _events.OnMessage(buffer.AsSpan(0, length).ToArray(), result.MessageType == WebSocketMessageType.Binary);
                    length = 0;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var frame in _outbound.Reader.ReadAllAsync())
            {
                var type = frame.IsBinary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
                await _webSocket.SendAsync(frame.Data, type, endOfMessage: true, CancellationToken.None);
            }

            if (_webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                var (status, reason) = _closeFrame;
                await _webSocket.CloseOutputAsync(status, status == WebSocketCloseStatus.Empty ? null : reason, CancellationToken.None);
            }
        }
        catch (Exception) when (_webSocket.State is WebSocketState.Aborted or WebSocketState.Closed or WebSocketState.CloseSent)
        {
            // The receive side reports how the connection ended.
        }
        catch (Exception)
        {
            // A failed write leaves the connection unusable: abort so the receive loop ends and reports it.
            _webSocket.Abort();
        }
    }
}
