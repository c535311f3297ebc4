using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Fenix.AspNetCore.Sockets;

/// <summary>
/// What the connect request tells about the client, as Phoenix's connect_info does: peer address, URI,
/// selected headers (user-agent, <c>x-*</c>, trace context, <c>sec-websocket-*</c>) — and, the ASP.NET Core way,
/// the authenticated <see cref="User"/>, so cookie or JWT authentication middleware applies to sockets.
/// Other headers and cookies are deliberately absent (cross-site WebSocket hijacking).
/// </summary>
public sealed class ConnectInfo
{
    public required string Transport { get; init; }

    public IPAddress? PeerAddress { get; init; }

    public int PeerPort { get; init; }

    /// <summary>The full URI of the connect request (scheme, host, port, path, query).</summary>
    public required Uri Uri { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>All request headers starting with <c>x-</c> (lower-case names).</summary>
    public IReadOnlyDictionary<string, string> XHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary><c>traceparent</c> and <c>tracestate</c>, when present.</summary>
    public IReadOnlyDictionary<string, string> TraceContextHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>All request headers starting with <c>sec-websocket-</c>, verbatim.</summary>
    public IReadOnlyDictionary<string, string> SecWebSocketHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>The user established by ASP.NET Core authentication (anonymous when none ran).</summary>
    public ClaimsPrincipal User { get; init; } = new(new ClaimsIdentity());

    /// <summary>The token from <c>Sec-WebSocket-Protocol: base64url.bearer.phx.*</c> or <c>X-Phoenix-AuthToken</c>.</summary>
    public string? AuthToken { get; init; }

    /// <summary>The request's services, for connect callbacks that need scoped dependencies.</summary>
    public IServiceProvider? RequestServices { get; init; }

    internal static ConnectInfo FromHttpContext(HttpContext context, string transport, string? authToken)
    {
        var request = context.Request;
        var xHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var trace = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var secWebSocket = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Headers)
        {
            var lower = name.ToLowerInvariant();
            if (lower.StartsWith("x-", StringComparison.Ordinal))
            {
                xHeaders[lower] = value.ToString();
            }
            else if (lower is "traceparent" or "tracestate")
            {
                trace[lower] = value.ToString();
            }
            else if (lower.StartsWith("sec-websocket-", StringComparison.Ordinal))
            {
                secWebSocket[lower] = value.ToString();
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
            UserAgent = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
            XHeaders = xHeaders,
            TraceContextHeaders = trace,
            SecWebSocketHeaders = secWebSocket,
            User = context.User,
            AuthToken = authToken,
            RequestServices = context.RequestServices,
        };
    }
}
