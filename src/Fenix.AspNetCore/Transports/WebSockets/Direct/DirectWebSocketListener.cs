using System.Buffers;
using System.IO.Pipelines;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fenix.AspNetCore.Transports.WebSockets.Direct;

/// <summary>
/// Kestrel connection middleware (<c>listenOptions.UseFenixWebSockets()</c>): reads the first request of each
/// connection without consuming it; a plain HTTP/1.1 WebSocket upgrade to a socket's WebSocket route that passes every
/// pre-connect check is answered here and served on the connection's own pipes, so none of Kestrel's HTTP/1 request
/// state is created or kept for the life of the WebSocket. Everything else — other requests, HTTP/2, malformed or refused
/// upgrades — goes to Kestrel's HTTP stack with its bytes untouched, which answers it exactly as without this listener.
/// </summary>
internal sealed class DirectWebSocketListener(ConnectionDelegate next, IServiceProvider services)
{
    /// <summary>Built on the first connection (the app's endpoints exist by then); immutable after.</summary>
    private readonly Lazy<DirectState> _state = new(() => DirectState.Create(services));

    /// <summary>1 once the warning about encrypted bytes was logged (this listener sits before UseHttps).</summary>
    private int _warnedAboutTls;

    public async Task OnConnectedAsync(ConnectionContext connection)
    {
        var state = _state.Value;
        if (state.Routes.IsEmpty)
        {
            await next(connection);
            return;
        }

        var accepted = await TryAcceptAsync(connection, state);
        if (accepted is null)
        {
            await next(connection);
            return;
        }

        // Only the accepted connection and its scope stay referenced while the WebSocket lives: the handshake's
        // request, headers and state machine are garbage now.
        if (accepted.Value is not (WebSocketConnection transport, var scope))
        {
            return; // answered and ended here (the headers timed out): Kestrel closes the connection
        }

        try
        {
            await transport.RunAsync();
        }
        finally
        {
            await scope.DisposeAsync();
        }
    }

    /// <summary>
    /// Reads the first request head; answers and returns the accepted WebSocket, or returns null once the connection is
    /// Kestrel's again (with the bytes not consumed, or after a refusal answered here: the connect callback ran), or
    /// no connection when the connection is to end (the client did not finish its headers in time).
    /// </summary>
    private async Task<(WebSocketConnection? Connection, AsyncServiceScope Scope)?> TryAcceptAsync(ConnectionContext connection, DirectState state)
    {
        var input = connection.Transport.Input;
        var read = await ReadHeadAsync(input, state);
        if (read.TimedOut)
        {
            await HandshakeResponse.WriteStatusAsync(connection.Transport.Output, StatusCodes.Status408RequestTimeout, state.AddServerHeader, state.Runtime.Time, close: true);
            return (null, default);
        }

        if (read.Head is not { } request)
        {
            return null;
        }

        var (buffer, examined) = (read.Buffer, read.Examined);

        // The head's buffer is held (not yet advanced) through these synchronous checks.
        var runtime = state.Runtime;
        var mount = state.Routes.Match(request.Path, out var routeValues);
        var context = mount is null ? null : CreateContext(connection, request, routeValues);
        var verdict = mount is null
            ? default
            : HandshakeVerdict.Evaluate(context!.Request, mount, isExtendedConnect: false, null, canUpgrade: true, atCapacity: state.AtCapacity(runtime));
        if (mount is null || verdict.Refusal != HandshakeRefusal.None)
        {
            // Not a socket's route, or refused before the connect callback: the HTTP stack answers it, logs and counts it
            // exactly as always. Its first read returns these bytes at once (they are not all marked examined).
            input.AdvanceTo(buffer.Start, buffer.GetPosition(examined));
            return null;
        }

        // From here the request is this listener's: the connect callback runs once, here.
        input.AdvanceTo(buffer.GetPosition(request.Length));
        var scope = runtime.ScopeFactory.CreateAsyncScope();
        context!.RequestServices = scope.ServiceProvider;
        if (!await TryAuthenticateAsync(context, state))
        {
            await scope.DisposeAsync();
            await HandshakeResponse.WriteStatusAsync(connection.Transport.Output, StatusCodes.Status500InternalServerError, state.AddServerHeader, runtime.Time);
            return null;
        }

        var connectInfo = ConnectInfo.FromHttpContext(context, "websocket", verdict.AuthToken);
        var outcome = await SocketConnector.ConnectAsync(mount, runtime, verdict.Parameters!, connectInfo);
        var output = connection.Transport.Output;
        if (!outcome.Accepted)
        {
            runtime.Metrics.ConnectionRefused("websocket", "connect_refused");
            await scope.DisposeAsync();
            await HandshakeResponse.WriteStatusAsync(output, outcome.StatusCode, state.AddServerHeader, runtime.Time);
            return null;
        }

        var acceptKey = WebSocketHandshake.AcceptKey(context!.Request.Headers.SecWebSocketKey.ToString());
        await HandshakeResponse.WriteSwitchingProtocolsAsync(output, acceptKey, verdict.Subprotocol, state.AddServerHeader, runtime.Time);
        var transport = new WebSocketConnection(input, output.AsStream(leaveOpen: true), runtime, mount.Options);
        var session = new SocketSession(runtime, mount, verdict.Serializer!, outcome.Assigns, outcome.SocketId, connectInfo, transport);
        transport.Attach(session);
        runtime.SocketLog.Connected("websocket", mount.HandlerName, outcome.SocketId, verdict.Serializer!.Name, connectInfo.PeerAddress?.ToString(), "HTTP/1.1 (direct)");
        return (transport, scope);
    }

    /// <summary>
    /// What <c>UseAuthentication</c> does for a request, done here for the handshake: the default authenticate scheme
    /// (a cookie, a JWT from the query) sets the user the connect callback sees. False when a handler failed (the HTTP
    /// pipeline would have answered 500).
    /// </summary>
    private static async Task<bool> TryAuthenticateAsync(DefaultHttpContext context, DirectState state)
    {
        if (state.Schemes is not { } schemes || await schemes.GetDefaultAuthenticateSchemeAsync() is null)
        {
            return true;
        }

        try
        {
            var result = await context.AuthenticateAsync();
            if (result.Succeeded)
            {
                context.User = result.Principal;
            }

            return true;
        }
        catch (Exception e)
        {
            state.Runtime.SocketLog.DirectAuthenticationFailed(e);
            return false;
        }
    }

    /// <summary>
    /// Reads until the first request head is complete and returns it with its buffer, NOT advanced (the caller advances:
    /// <paramref name="input"/> is mid-read), and how many bytes earlier reads marked examined. Returns no head, with
    /// nothing consumed and the last bytes not marked examined (so Kestrel's first read returns them at once), when it is
    /// not a candidate or the client stopped sending; and <see cref="HeadRead.TimedOut"/> when Kestrel's request-headers
    /// timeout passed first (the bytes are all marked examined then: Kestrel could not read them again, so the connection ends).
    /// </summary>
    private async Task<HeadRead> ReadHeadAsync(PipeReader input, DirectState state)
    {
        long examined = 0;

        // Clients send the head in one write and the transport usually has it by now: a head that is already whole is
        // parsed without arming the headers timeout (a timer and a cancellation registration per connection).
        if (input.TryRead(out var ready) && Examine(input, ready, state, ref examined) is { } early)
        {
            return early;
        }

        using var timeout = new CancellationTokenSource(state.HeadersTimeout, state.Runtime.Time);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return new HeadRead(null, default, 0, TimedOut: true);
            }

            if (Examine(input, result, state, ref examined) is { } read)
            {
                return read;
            }
        }
    }

    /// <summary>
    /// One read's verdict: the parsed head (buffer not advanced), no head (bytes given back, see <see cref="ReadHeadAsync"/>),
    /// or null to read more (everything so far marked examined, its length in <paramref name="examined"/>).
    /// </summary>
    private HeadRead? Examine(PipeReader input, in ReadResult result, DirectState state, ref long examined)
    {
        var buffer = result.Buffer;
        var outcome = UpgradeRequestHead.TryParse(buffer, state.Limits, out var head);
        if (outcome == HeadOutcome.Parsed)
        {
            return new HeadRead(head, buffer, examined, TimedOut: false);
        }

        if (outcome == HeadOutcome.NeedMore && !result.IsCompleted && !result.IsCanceled)
        {
            examined = buffer.Length;
            input.AdvanceTo(buffer.Start, buffer.End);
            return null;
        }

        if (!buffer.IsEmpty && buffer.FirstSpan[0] == UpgradeRequestHead.TlsHandshakeRecord && Interlocked.Exchange(ref _warnedAboutTls, 1) == 0)
        {
            state.Runtime.SocketLog.DirectListenerSeesTls();
        }

        input.AdvanceTo(buffer.Start, buffer.GetPosition(examined));
        return new HeadRead(null, default, 0, TimedOut: false);
    }

    private static DefaultHttpContext CreateContext(ConnectionContext connection, UpgradeRequestHead head, Microsoft.AspNetCore.Routing.RouteValueDictionary? routeValues)
    {
        var features = new FeatureCollection();
        var isHttps = connection.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>() is not null;
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Method = HttpMethods.Get,
            Scheme = isHttps ? "https" : "http",
            Protocol = HttpProtocol.Http11,
            Path = head.Path,
            QueryString = head.QueryString,
            RawTarget = head.Path + head.QueryString,
            Headers = head.Headers,
        });
        var remote = connection.RemoteEndPoint as System.Net.IPEndPoint;
        var local = connection.LocalEndPoint as System.Net.IPEndPoint;
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = connection.ConnectionId,
            RemoteIpAddress = remote?.Address,
            RemotePort = remote?.Port ?? 0,
            LocalIpAddress = local?.Address,
            LocalPort = local?.Port ?? 0,
        });
        // Authentication handlers may set response headers (a renewed cookie); the handshake has nowhere to send them.
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        var context = new DefaultHttpContext(features);
        if (routeValues is not null)
        {
            context.Request.RouteValues = routeValues;
        }

        return context;
    }

    /// <summary>What reading the first request head gave: a head (its buffer not yet advanced), nothing (Kestrel's), or a timeout.</summary>
    private readonly record struct HeadRead(UpgradeRequestHead? Head, ReadOnlySequence<byte> Buffer, long Examined, bool TimedOut);

    /// <summary>What every connection of this listener shares, resolved once.</summary>
    private sealed class DirectState
    {
        public required FenixRuntime Runtime { get; init; }

        public required DirectRouteTable Routes { get; init; }

        public required KestrelServerLimits Limits { get; init; }

        public required bool AddServerHeader { get; init; }

        /// <summary>The app's authentication schemes (null without AddAuthentication).</summary>
        public required IAuthenticationSchemeProvider? Schemes { get; init; }

        public TimeSpan HeadersTimeout => Limits.RequestHeadersTimeout;

        /// <summary>The same open-WebSocket limit the HTTP endpoint applies (Kestrel's upgraded-connection limit).</summary>
        public bool AtCapacity(FenixRuntime runtime) =>
            runtime.Connections.RefusesWebSocket(Limits.MaxConcurrentUpgradedConnections);

        public static DirectState Create(IServiceProvider services)
        {
            var runtime = services.GetService<FenixRuntime>()
                ?? throw new InvalidOperationException("Fenix is not registered: call builder.Services.AddFenix() before UseFenixWebSockets serves connections.");
            var kestrel = services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
            return new DirectState
            {
                Runtime = runtime,
                Routes = DirectRouteTable.Build(services, runtime.SocketLog),
                Limits = kestrel.Limits,
                AddServerHeader = kestrel.AddServerHeader,
                Schemes = services.GetService<IAuthenticationSchemeProvider>(),
            };
        }
    }
}
