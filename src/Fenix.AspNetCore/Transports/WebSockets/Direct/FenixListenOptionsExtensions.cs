using Fenix.AspNetCore.Transports.WebSockets.Direct;
using Microsoft.AspNetCore.Server.Kestrel.Core;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as Kestrel's UseHttps does.
namespace Microsoft.AspNetCore.Hosting;
#pragma warning restore IDE0130

/// <summary>Serves Fenix WebSockets on a Kestrel endpoint below the HTTP stack.</summary>
public static class FenixListenOptionsExtensions
{
    /// <summary>
    /// Answers HTTP/1.1 WebSocket upgrades to the WebSocket routes of <c>MapFenixSocket</c> directly on the connection,
    /// without Kestrel's HTTP/1 request state, which an open WebSocket otherwise keeps for its whole life (about 8 KB of
    /// the ~20 KB an idle connection costs). Every other request on the endpoint — pages, long poll, health checks,
    /// HTTP/2, upgrades that are malformed or refused before the connect callback — is served by the HTTP stack unchanged.
    /// </summary>
    /// <remarks>
    /// WebSockets served this way skip the ASP.NET Core middleware pipeline: the handshake is authenticated with the
    /// default scheme (as <c>UseAuthentication</c> does), routes that require authorization, a host, rate limiting or
    /// route constraints stay on the HTTP stack (a warning names them), and <see cref="Fenix.ConnectInfo.RequestServices"/>
    /// is a scope created for the connection. On an HTTPS endpoint call it after <c>UseHttps</c>, so it sees decrypted
    /// bytes. See docs/guide.md, "Direct WebSockets".
    /// </remarks>
    public static ListenOptions UseFenixWebSockets(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        listenOptions.Use(next => new DirectWebSocketListener(next, listenOptions.ApplicationServices).OnConnectedAsync);
        return listenOptions;
    }
}
