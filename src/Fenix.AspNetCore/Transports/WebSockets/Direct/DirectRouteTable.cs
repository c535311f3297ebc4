using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fenix.AspNetCore.Transports.WebSockets.Direct;

/// <summary>
/// The sockets' WebSocket routes the direct listener may serve, built once from the app's endpoints. A route whose
/// endpoint asks for something only the HTTP pipeline does (authorization, a host filter, rate limiting, route
/// constraints) is left to the HTTP stack, with a warning naming it: the direct listener never serves a request the
/// normal endpoint would have treated differently.
/// </summary>
internal sealed class DirectRouteTable
{
    /// <summary>Routes without parameters, by path (routing compares paths case-insensitively).</summary>
    private readonly Dictionary<string, SocketMount> _literal;

    /// <summary>Routes with parameters (e.g. <c>/ws/{tenant}/websocket</c>), tried in order.</summary>
    private readonly (TemplateMatcher Matcher, SocketMount Mount)[] _templates;

    private DirectRouteTable(Dictionary<string, SocketMount> literal, (TemplateMatcher, SocketMount)[] templates)
    {
        _literal = literal;
        _templates = templates;
    }

    /// <summary>Whether any route is served directly.</summary>
    public bool IsEmpty => _literal.Count == 0 && _templates.Length == 0;

    public static DirectRouteTable Build(IServiceProvider services, ILogger log)
    {
        var literal = new Dictionary<string, SocketMount>(StringComparer.OrdinalIgnoreCase);
        var templates = new List<(TemplateMatcher, SocketMount)>();
        var fallbackPolicy = services.GetService<IOptions<AuthorizationOptions>>()?.Value.FallbackPolicy;
        var endpoints = services.GetService<EndpointDataSource>()?.Endpoints ?? [];
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<DirectWebSocketRoute>() is not { } route)
            {
                continue;
            }

            var pattern = endpoint.RoutePattern;
            if (Unsupported(endpoint, fallbackPolicy) is { } reason)
            {
                log.DirectRouteOnHttpStack(pattern.RawText ?? endpoint.DisplayName ?? route.Mount.Path, route.Mount.HandlerName, reason);
                continue;
            }

            if (pattern.Parameters.Count == 0)
            {
                literal.TryAdd("/" + string.Join('/', pattern.PathSegments.Select(s => ((RoutePatternLiteralPart)s.Parts[0]).Content)), route.Mount);
            }
            else
            {
                templates.Add((new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary(pattern.Defaults)), route.Mount));
            }
        }

        return new DirectRouteTable(literal, [.. templates]);
    }

    /// <summary>The mount for a path and its route values; null when no route matches or several templates do.</summary>
    public SocketMount? Match(string path, out RouteValueDictionary? values)
    {
        values = null;
        if (_literal.TryGetValue(path, out var mount))
        {
            return mount;
        }

        SocketMount? found = null;
        foreach (var (matcher, candidate) in _templates)
        {
            var candidateValues = new RouteValueDictionary();
            if (matcher.TryMatch(path, candidateValues))
            {
                if (found is not null)
                {
                    values = null;
                    return null; // ambiguous here: routing's precedence decides, on the HTTP stack
                }

                (found, values) = (candidate, candidateValues);
            }
        }

        return found;
    }

    private static string? Unsupported(RouteEndpoint endpoint, AuthorizationPolicy? fallbackPolicy)
    {
        var metadata = endpoint.Metadata;
        if (metadata.GetMetadata<IAllowAnonymous>() is null
            && (metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<IAuthorizationRequirementData>() is not null
                || metadata.GetMetadata<AuthorizationPolicy>() is not null || fallbackPolicy is not null))
        {
            return "it requires authorization, which only the HTTP pipeline runs";
        }

        if (metadata.GetMetadata<IHostMetadata>() is { Hosts.Count: > 0 })
        {
            return "it is restricted to hosts (RequireHost)";
        }

        if (metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
        {
            return "it has a rate-limiting policy";
        }

        return endpoint.RoutePattern.ParameterPolicies.Count > 0 || endpoint.RoutePattern.Parameters.Any(p => p.ParameterPolicies.Count > 0)
            ? "its route has constraints"
            : null;
    }
}
