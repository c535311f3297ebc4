using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;

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

    /// <summary>
    /// Immutable <c>sec-websocket-*</c> header sets shared by the connections that sent the same ones (almost all send
    /// the same version and extensions); at most <see cref="MaxSharedSecWebSocketHeaderSets"/>, never holding a
    /// subprotocol list (it may carry a token). Replaced whole (compare-and-swap), never changed in place.
    /// </summary>
    private static IReadOnlyDictionary<string, string>[] _sharedSecWebSocketHeaders = [];

    private const int MaxSharedSecWebSocketHeaderSets = 32;

    /// <summary>The URI, built on first use from <see cref="_uriParts"/> (most connections never ask) or given at init.</summary>
    private Uri? _uri;

    /// <summary>The request's parts the URI is built from (strings the request holds anyway); null when the URI was given.</summary>
    private readonly UriParts? _uriParts;

    /// <summary>The principal: given at init, or created on first use (anonymous) when no authentication set one.</summary>
    private ClaimsPrincipal? _user;

    public ConnectInfo()
    {
    }

#pragma warning disable CS8618 // Uri is not missing: it is built from the parts on first use
    [SetsRequiredMembers]
    private ConnectInfo(string transport, UriParts uriParts)
#pragma warning restore CS8618
    {
        Transport = transport;
        _uriParts = uriParts;
    }

    public required string Transport { get; init; }

    public IPAddress? PeerAddress { get; init; }

    public int PeerPort { get; init; }

    /// <summary>The full URI of the connect request (scheme, host, port, path, query).</summary>
    public required Uri Uri
    {
        get => _uri ?? BuildUri();
        init => _uri = value;
    }

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
    public ClaimsPrincipal User
    {
        get => Volatile.Read(ref _user) ?? Interlocked.CompareExchange(ref _user, new ClaimsPrincipal(new ClaimsIdentity()), null) ?? _user;
        init => _user = value;
    }

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

        var uriParts = new UriParts(request.Scheme, request.Host, request.IsHttps, request.PathBase + request.Path, request.QueryString);
        return new ConnectInfo(transport, uriParts)
        {
            PeerAddress = context.Connection.RemoteIpAddress,
            PeerPort = context.Connection.RemotePort,
            HttpProtocol = request.Protocol,
            UserAgent = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
            XHeaders = xHeaders ?? NoHeaders,
            TraceContextHeaders = trace ?? NoHeaders,
            SecWebSocketHeaders = secWebSocket is null ? NoHeaders : Share(secWebSocket),

            // Without authentication nobody set a principal: the anonymous one is created only if someone asks.
            User = context.Features.Get<IHttpAuthenticationFeature>()?.User!,
            AuthToken = authToken,
            RequestServices = context.RequestServices,
        };
    }

    /// <summary>A shared immutable copy of <paramref name="headers"/> when another connection sent the same set.</summary>
    private static IReadOnlyDictionary<string, string> Share(Dictionary<string, string> headers)
    {
        if (headers.ContainsKey("sec-websocket-protocol"))
        {
            return headers;
        }

        // A linear scan of a few small sets: cheaper per connect than building a key to look them up by.
        while (true)
        {
            var known = Volatile.Read(ref _sharedSecWebSocketHeaders);
            foreach (var set in known)
            {
                if (SameHeaders(set, headers))
                {
                    return set;
                }
            }

            if (known.Length >= MaxSharedSecWebSocketHeaderSets)
            {
                return headers;
            }

            IReadOnlyDictionary<string, string> shared = headers.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
            if (Interlocked.CompareExchange(ref _sharedSecWebSocketHeaders, [.. known, shared], known) == known)
            {
                return shared;
            }
        }
    }

    private static bool SameHeaders(IReadOnlyDictionary<string, string> set, Dictionary<string, string> headers)
    {
        if (set.Count != headers.Count)
        {
            return false;
        }

        foreach (var (name, value) in headers)
        {
            if (!set.TryGetValue(name, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private Uri BuildUri()
    {
        var parts = _uriParts!;
        var port = parts.Host.Port ?? (parts.IsHttps ? 443 : 80);
        var uri = new UriBuilder(parts.Scheme, parts.Host.Host, port, parts.Path)
        {
            Query = parts.Query.HasValue ? parts.Query.Value![1..] : "",
        }.Uri;
        return Interlocked.CompareExchange(ref _uri, uri, null) ?? uri;
    }

    /// <summary>What the connect request's URI is made of (the request's own strings: nothing new is kept).</summary>
    private sealed record UriParts(string Scheme, HostString Host, bool IsHttps, PathString Path, QueryString Query);
}
