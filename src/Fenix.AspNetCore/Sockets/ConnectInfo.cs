using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Fenix;

/// <summary>
/// What the connect request tells about the client, as Phoenix's connect_info does: peer address, URI,
/// selected headers (user-agent, <c>x-*</c>, trace context, <c>sec-websocket-*</c>) — and, the ASP.NET Core way,
/// the authenticated <see cref="User"/>, so cookie or JWT authentication middleware applies to sockets.
/// Other headers and cookies are deliberately absent (cross-site WebSocket hijacking).
/// </summary>
public sealed class ConnectInfo
{
    /// <summary>Shared by every connection whose request had no header of a kind: most have no x- or trace headers.</summary>
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    public required string Transport { get; init; }

    public IPAddress? PeerAddress { get; init; }

    public int PeerPort { get; init; }

    /// <summary>The full URI of the connect request (scheme, host, port, path, query).</summary>
    public required Uri Uri { get; init; }

    /// <summary>The HTTP version the connect request came over: "HTTP/1.1", or "HTTP/2" (a WebSocket opened as an
    /// extended CONNECT, as browsers do on HTTPS pages).</summary>
    public string? HttpProtocol { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>All request headers starting with <c>x-</c> (lower-case names).</summary>
    public IReadOnlyDictionary<string, string> XHeaders { get; init; } = NoHeaders;

    /// <summary><c>traceparent</c> and <c>tracestate</c>, when present.</summary>
    public IReadOnlyDictionary<string, string> TraceContextHeaders { get; init; } = NoHeaders;

    /// <summary>The request headers starting with <c>sec-websocket-</c> (all but the one-time key), verbatim.</summary>
    public IReadOnlyDictionary<string, string> SecWebSocketHeaders { get; init; } = NoHeaders;

    /// <summary>The user established by ASP.NET Core authentication (anonymous when none ran).</summary>
    public ClaimsPrincipal User { get; init; } = new(new ClaimsIdentity());

    /// <summary>The token from <c>Sec-WebSocket-Protocol: base64url.bearer.phx.*</c> or <c>X-Phoenix-AuthToken</c>.</summary>
    public string? AuthToken { get; init; }

    /// <summary>The request's services, for connect callbacks that need scoped dependencies.</summary>
    public IServiceProvider? RequestServices { get; init; }

    /// <summary>The connect span's context once the connection was accepted (default when not traced): joins and events link to it.</summary>
    internal ActivityContext TraceContext { get; set; }

    internal static ConnectInfo FromHttpContext(HttpContext context, string transport, string? authToken)
    {
        var request = context.Request;
        Dictionary<string, string>? xHeaders = null, trace = null, secWebSocket = null;
        foreach (var (name, value) in request.Headers)
        {
            if (name.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
            {
                (xHeaders ??= new(StringComparer.OrdinalIgnoreCase))[name.ToLowerInvariant()] = value.ToString();
            }
            else if (name.Equals("traceparent", StringComparison.OrdinalIgnoreCase) || name.Equals("tracestate", StringComparison.OrdinalIgnoreCase))
            {
                (trace ??= new(StringComparer.OrdinalIgnoreCase))[name.ToLowerInvariant()] = value.ToString();
            }
            else if (name.StartsWith("sec-websocket-", StringComparison.OrdinalIgnoreCase) && !name.Equals("sec-websocket-key", StringComparison.OrdinalIgnoreCase))
            {
                (secWebSocket ??= new(StringComparer.OrdinalIgnoreCase))[name.ToLowerInvariant()] = value.ToString();
            }
        }

        var port = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        var uri = new UriBuilder(request.Scheme, request.Host.Host, port, request.PathBase + request.Path)
        {
            Query = request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
        }.Uri;

        return new ConnectInfo
        {
            Transport = transport,
            PeerAddress = context.Connection.RemoteIpAddress,
            PeerPort = context.Connection.RemotePort,
            Uri = uri,
            HttpProtocol = request.Protocol,
            UserAgent = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
            XHeaders = xHeaders ?? NoHeaders,
            TraceContextHeaders = trace ?? NoHeaders,
            SecWebSocketHeaders = secWebSocket ?? NoHeaders,
            User = context.User,
            AuthToken = authToken,
            RequestServices = context.RequestServices,
        };
    }
}
