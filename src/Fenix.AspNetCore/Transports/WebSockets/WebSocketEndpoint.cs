using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol.Serializers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>
/// Serves <c>&lt;mount&gt;/websocket</c>: checks method, origin, handshake headers, subprotocols and vsn, runs the
/// socket's connect callback, and on acceptance takes over the connection and runs it. A WebSocket arrives as an
/// HTTP/1.1 upgrade (RFC 6455) or, from browsers on HTTPS pages, as an HTTP/2 extended CONNECT (RFC 8441); after the
/// handshake both are the same byte stream with the same framing, limits and close codes.
/// </summary>
internal static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, SocketMount mount, FenixRuntime runtime)
    {
        var request = context.Request;
        var response = context.Response;
        var log = runtime.SocketLog;
        var connect = context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } extended ? extended : null;
        if (connect is null && !HttpMethods.IsGet(request.Method))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!mount.Options.CheckOrigin.IsAllowed(request))
        {
            log.OriginRefused(request.Headers.Origin.ToString());
            await RefuseAsync(context, runtime, StatusCodes.Status403Forbidden, "origin");
            return;
        }

        var upgrade = connect is null ? context.Features.Get<IHttpUpgradeFeature>() : null;
        var invalid = connect is not null
            ? WebSocketHandshake.ValidateExtendedConnect(request, connect.Protocol)
            : WebSocketHandshake.Validate(request);
        if (invalid is not null || (connect is null && upgrade is null))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            await response.WriteAsync($"Bad WebSocket upgrade request: {invalid ?? "the connection cannot be upgraded (HTTP/1.1 required)"}");
            return;
        }

        if (upgrade is { IsUpgradableRequest: false } || AtUpgradeLimit(context, runtime))
        {
            // Refuse before running the connect callback: Kestrel would refuse the upgrade anyway (and over HTTP/2 the
            // same limit keeps the number of open WebSockets bounded).
            await RefuseAsync(context, runtime, StatusCodes.Status503ServiceUnavailable, "capacity");
            return;
        }

        if (!WebSocketHandshake.TryNegotiateSubprotocol(
            request.Headers.SecWebSocketProtocol, mount.Options.WebSocket.Subprotocols, out var subprotocol, out var authToken))
        {
            log.ConnectRefused("websocket", mount.HandlerName, "Could not check Websocket subprotocols: none of the offered ones is supported");
            await RefuseAsync(context, runtime, StatusCodes.Status403Forbidden, "subprotocol");
            return;
        }

        var parameters = ConnectParams.FromRequest(request);
        var serializer = SerializerNegotiation.Negotiate(parameters.Get("vsn"));
        if (serializer is null)
        {
            log.VersionMismatch(parameters.Get("vsn"));
            await RefuseAsync(context, runtime, StatusCodes.Status403Forbidden, "vsn");
            return;
        }

        var connectInfo = ConnectInfo.FromHttpContext(context, "websocket", authToken);
        var connection = await SocketConnector.ConnectAsync(mount, runtime, parameters, connectInfo);
        if (!connection.Accepted)
        {
            await RefuseAsync(context, runtime, connection.StatusCode, "connect_refused");
            return;
        }

        if (connect is null)
        {
            response.Headers.Upgrade = "websocket";
            response.Headers.SecWebSocketAccept = WebSocketHandshake.AcceptKey(request.Headers.SecWebSocketKey.ToString());
        }

        if (subprotocol is not null)
        {
            response.Headers.SecWebSocketProtocol = subprotocol;
        }

        var stream = connect is not null ? await connect.AcceptAsync() : await TryUpgradeAsync(context, upgrade!);
        if (stream is null)
        {
            // Kestrel's upgraded-connection limit was reached between the check above and now.
            await RefuseAsync(context, runtime, StatusCodes.Status503ServiceUnavailable, "capacity");
            return;
        }

        // The connection now lives as long as the WebSocket: a request timeout (if the app uses them) must not end it.
        context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        var transport = new WebSocketConnection(stream, runtime, mount.Options);
        var session = new SocketSession(runtime, mount, serializer, connection.Assigns, connection.SocketId, connectInfo, transport);
        transport.Attach(session);
        log.Connected("websocket", mount.HandlerName, connection.SocketId, serializer.Name, connectInfo.PeerAddress?.ToString(), request.Protocol);
        await transport.RunAsync();
    }

    /// <summary>Sends the 101 and returns the upgraded connection's stream; null when Kestrel refused it at its limit.</summary>
    private static async Task<Stream?> TryUpgradeAsync(HttpContext context, IHttpUpgradeFeature upgrade)
    {
        try
        {
            return await upgrade.UpgradeAsync();
        }
        catch (InvalidOperationException) when (!context.Response.HasStarted)
        {
            return null;
        }
    }

    private static bool AtUpgradeLimit(HttpContext context, FenixRuntime runtime) =>
        context.RequestServices.GetService<IOptions<KestrelServerOptions>>()?.Value.Limits.MaxConcurrentUpgradedConnections is { } limit
        && runtime.Connections.WebSocketCount >= limit;

    private static Task RefuseAsync(HttpContext context, FenixRuntime runtime, int status, string reason)
    {
        runtime.Metrics.ConnectionRefused("websocket", reason);
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
