using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
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
        // The handshake's state machine (all its locals) is garbage once the connection is accepted: an idle connection
        // keeps only this small one waiting on the run.
        if (await AcceptAsync(context, mount, runtime) is { } transport)
        {
            await transport.RunAsync();
        }
    }

    /// <summary>Checks and answers the handshake; returns the accepted connection (null when refused, answered already).</summary>
    private static async Task<WebSocketConnection?> AcceptAsync(HttpContext context, SocketMount mount, FenixRuntime runtime)
    {
        var request = context.Request;
        var response = context.Response;
        var log = runtime.SocketLog;
        var connect = context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } extended ? extended : null;
        if (connect is null && !HttpMethods.IsGet(request.Method))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }

        var upgrade = connect is null ? context.Features.Get<IHttpUpgradeFeature>() : null;
        var verdict = HandshakeVerdict.Evaluate(
            request,
            mount,
            isExtendedConnect: connect is not null,
            connect?.Protocol,
            canUpgrade: upgrade is { IsUpgradableRequest: true }, // Kestrel's answer for an upgrade request with a body
            atCapacity: AtUpgradeLimit(context, runtime));
        switch (verdict.Refusal)
        {
            case HandshakeRefusal.Origin:
                log.OriginRefused(verdict.Detail ?? "");
                await RefuseAsync(context, runtime, StatusCodes.Status403Forbidden, "origin");
                return null;
            case HandshakeRefusal.BadRequest:
                response.StatusCode = StatusCodes.Status400BadRequest;
                await response.WriteAsync($"Bad WebSocket upgrade request: {verdict.Detail}");
                return null;
            case HandshakeRefusal.Capacity:
                // Refuse before running the connect callback: Kestrel would refuse the upgrade anyway (and over HTTP/2 the
                // same limit keeps the number of open WebSockets bounded).
                await RefuseAsync(context, runtime, StatusCodes.Status503ServiceUnavailable, "capacity");
                return null;
            case HandshakeRefusal.Subprotocol:
                log.ConnectRefused("websocket", mount.HandlerName, "Could not check Websocket subprotocols: none of the offered ones is supported");
                await RefuseAsync(context, runtime, StatusCodes.Status403Forbidden, "subprotocol");
                return null;
            case HandshakeRefusal.Version:
                log.VersionMismatch(verdict.Detail);
                await RefuseAsync(context, runtime, StatusCodes.Status403Forbidden, "vsn");
                return null;
        }

        var (parameters, serializer, subprotocol, authToken) = (verdict.Parameters!, verdict.Serializer!, verdict.Subprotocol, verdict.AuthToken);
        var connectInfo = ConnectInfo.FromHttpContext(context, "websocket", authToken);
        var connection = await SocketConnector.ConnectAsync(mount, runtime, parameters, connectInfo);
        if (!connection.Accepted)
        {
            await RefuseAsync(context, runtime, connection.StatusCode, "connect_refused");
            return null;
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
            return null;
        }

        // The connection now lives as long as the WebSocket: a request timeout (if the app uses them) must not end it.
        context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        var transport = new WebSocketConnection(stream, runtime, mount.Options);
        var session = new SocketSession(runtime, mount, serializer, connection.Assigns, connection.SocketId, connectInfo, transport);
        transport.Attach(session);
        log.Connected("websocket", mount.HandlerName, connection.SocketId, serializer.Name, connectInfo.PeerAddress?.ToString(), request.Protocol);
        return transport;
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

    /// <summary>At Kestrel's upgraded-connection limit, or draining at shutdown (a new WebSocket would only be drained too).</summary>
    private static bool AtUpgradeLimit(HttpContext context, FenixRuntime runtime) =>
        runtime.Connections.RefusesWebSocket(context.RequestServices.GetService<IOptions<KestrelServerOptions>>()?.Value.Limits.MaxConcurrentUpgradedConnections);

    private static Task RefuseAsync(HttpContext context, FenixRuntime runtime, int status, string reason)
    {
        runtime.Metrics.ConnectionRefused("websocket", reason);
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
