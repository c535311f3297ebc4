using System.Net.Http.Headers;
using System.Text;
using Fenix.Client.Internal;
using Fenix.Protocol;

namespace Fenix.Client.Transports;

/// <summary>
/// The long-poll transport (protocol.md §5): a poll loop of GETs whose JSON body <c>status</c> decides everything
/// (410 opens a session and yields its token; 200 carries messages; 204 means nothing new), and a send loop that
/// POSTs queued frames as <c>application/x-ndjson</c> batches of at most 100 lines (binary frames as Base64).
/// The session token travels both as the <c>token</c> query parameter and the <c>X-Phoenix-Longpoll-Token</c> header.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The run owns its cancellation source; a timer-less CancellationTokenSource needs no disposal.")]
internal sealed class LongPollTransport : ITransport
{
    public const int MaxBatchLines = 100;
    public const string TokenHeader = "X-Phoenix-Longpoll-Token";
    public const string AuthTokenHeader = "X-Phoenix-AuthToken";

    private const int Connecting = 0;
    private const int Open = 1;
    private const int Stopped = 2;

    private static readonly MediaTypeHeaderValue NdJson = new("application/x-ndjson");

    private readonly Uri _pollUrl;
    private readonly string? _authToken;
    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;
    private readonly ITransportEvents _events;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Threading.Channels.Channel<string> _outbound =
        System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });

    /// <summary>The session token from the server; null until the first 410.</summary>
    private volatile string? _token;

    private int _state = Connecting;
    private int _closeEmitted;

    public LongPollTransport(Uri pollUrl, string? authToken, HttpClient http, TimeSpan requestTimeout, ITransportEvents events, TimeProvider time)
    {
        _pollUrl = pollUrl;
        _authToken = authToken;
        _http = http;
        _requestTimeout = requestTimeout;
        _events = events;
        _time = time;
    }

    public bool SkipHeartbeat => true;

    public Task Completion => _completion.Task;

    private bool IsActive => Volatile.Read(ref _state) != Stopped;

    public void Start() => _ = Task.Run(PollLoopAsync);

    public void Send(EncodedFrame frame) => _outbound.Writer.TryWrite(
        frame.IsBinary ? Convert.ToBase64String(frame.Data.Span) : Encoding.UTF8.GetString(frame.Data.Span));

    public void Close(int? code, string? reason)
    {
        if (Stop())
        {
            EmitClose(new SocketCloseInfo(code ?? SocketCloseInfo.NoStatus, reason, true));
        }
    }

    private async Task PollLoopAsync()
    {
        while (IsActive)
        {
            var result = await RequestAsync(HttpMethod.Get, null);
            if (result.Outcome == RequestOutcome.Stopped || !IsActive)
            {
                return;
            }

            if (result.Outcome == RequestOutcome.TimedOut)
            {
                CloseAndRetry(new TransportException("The long poll timed out."), SocketCloseInfo.NoStatus, "timeout");
                return;
            }

            var status = 0;
            if (result.Body is { } body)
            {
                if (body.Status == 410 && _token is not null)
                {
                    // We had a session and it is gone: fail so that the socket reconnects and the channels rejoin.
                    CloseAndRetry(new TransportException("The long-poll session is gone.", 410), 3410, "session_gone");
                    return;
                }

                _token = body.Token;
                status = body.Status;
            }

            switch (status)
            {
                case 200:
                    foreach (var message in result.Body!.Messages)
                    {
                        _events.OnMessage(Encoding.UTF8.GetBytes(message), isBinary: false);
                    }

                    break;
                case 204:
                    break;
                case 410:
                    if (Interlocked.CompareExchange(ref _state, Open, Connecting) == Connecting)
                    {
                        _events.OnOpen();
                        _ = Task.Run(SendLoopAsync);
                    }

                    break;
                case 403:
                    if (Stop())
                    {
                        _events.OnError(new TransportException("The server refused the long-poll connection (403).", 403));
                        EmitClose(new SocketCloseInfo(1008, "forbidden", false));
                    }

                    return;
                default:
                    CloseAndRetry(new TransportException($"The long poll failed (status {status}).", status), 1011, "internal server error");
                    return;
            }
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                // Let frames sent together (e.g. a flushed send buffer) go in one POST, as phoenix.js batches a tick.
                await Task.Yield();
                var batch = new List<string>();
                while (batch.Count < MaxBatchLines && reader.TryRead(out var line))
                {
                    batch.Add(line);
                }

                var result = await RequestAsync(HttpMethod.Post, string.Join('\n', batch));
                switch (result.Outcome)
                {
                    case RequestOutcome.Stopped:
                        return;
                    case RequestOutcome.TimedOut:
                        CloseAndRetry(new TransportException("A long-poll send timed out."), SocketCloseInfo.NoStatus, "timeout");
                        return;
                    case RequestOutcome.Completed when result.Body is not { Status: 200 }:
                        var status = result.Body?.Status;
                        CloseAndRetry(new TransportException($"A long-poll send failed (status {status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).", status), 1011, "internal server error");
                        return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task<RequestResult> RequestAsync(HttpMethod method, string? body)
    {
        var token = _token;
        using var request = new HttpRequestMessage(method, token is null ? _pollUrl : EndpointUrl.AppendParam(_pollUrl, "token", token));
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation(TokenHeader, token);
        }

        if (body is null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (_authToken is not null)
            {
                request.Headers.TryAddWithoutValidation(AuthTokenHeader, _authToken);
            }
        }
        else
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = NdJson;
        }

        using var timeout = new CancellationTokenSource(_requestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token);
            return new RequestResult(RequestOutcome.Completed, LongPollResponse.Parse(bytes));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return new RequestResult(RequestOutcome.Stopped, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new RequestResult(RequestOutcome.TimedOut, null);
        }
        catch (HttpRequestException)
        {
            // Like a failed XHR in phoenix.js: no body, status 0.
            return new RequestResult(RequestOutcome.Completed, null);
        }
    }

    private void CloseAndRetry(Exception error, int code, string reason)
    {
        if (Stop())
        {
            _events.OnError(error);
            EmitClose(new SocketCloseInfo(code, reason, false));
        }
    }

    /// <summary>Cancels every request and queued frame; true for the caller that stopped it.</summary>
    private bool Stop()
    {
        if (Interlocked.Exchange(ref _state, Stopped) == Stopped)
        {
            return false;
        }

        _outbound.Writer.TryComplete();
        _stop.Cancel();
        return true;
    }

    private void EmitClose(SocketCloseInfo close)
    {
        if (Interlocked.Exchange(ref _closeEmitted, 1) == 0)
        {
            _events.OnClose(close);
            _completion.TrySetResult();
        }
    }

    private enum RequestOutcome
    {
        Completed,
        TimedOut,
        Stopped,
    }

    private readonly record struct RequestResult(RequestOutcome Outcome, LongPollResponse? Body);
}
