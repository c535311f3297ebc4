using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol.Serializers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>
/// Serves <c>&lt;mount&gt;/websocket</c>: checks method, origin, upgrade headers, subprotocols and vsn, runs the
/// socket's connect callback, and on acceptance upgrades the connection and runs it.
/// </summary>
internal static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, SocketMount mount, FenixRuntime runtime)
    {
        var request = context.Request;
        var response = context.Response;
        var log = runtime.SocketLog;
        if (!HttpMethods.IsGet(request.Method))
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

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var invalid = WebSocketHandshake.Validate(request);
        if (upgrade is null || invalid is not null)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            await response.WriteAsync($"Bad WebSocket upgrade request: {invalid ?? "the connection cannot be upgraded (HTTP/1.1 required)"}");
            return;
        }

        if (!upgrade.IsUpgradableRequest || AtUpgradeLimit(context, runtime))
        {
            // Refuse before running the connect callback: Kestrel would refuse the upgrade anyway.
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

        response.Headers.Upgrade = "websocket";
        response.Headers.SecWebSocketAccept = WebSocketHandshake.AcceptKey(request.Headers.SecWebSocketKey.ToString());
        if (subprotocol is not null)
        {
            response.Headers.SecWebSocketProtocol = subprotocol;
        }

        Stream stream;
        try
        {
            stream = await upgrade.UpgradeAsync();
        }
        catch (InvalidOperationException) when (!response.HasStarted)
        {
            // Kestrel's upgraded-connection limit was reached between the check above and now.
            await RefuseAsync(context, runtime, StatusCodes.Status503ServiceUnavailable, "capacity");
            return;
        }

        var transport = new WebSocketConnection(stream, runtime, mount.Options);
        var session = new SocketSession(runtime, mount, serializer, connection.Assigns, connection.SocketId, connectInfo, transport);
        transport.Attach(session);
        log.Connected("websocket", mount.HandlerName, connection.SocketId, serializer.Name, connectInfo.PeerAddress?.ToString());
        await transport.RunAsync();
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
