using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Fenix;

/// <summary>
/// Which browser origins may open a socket (Phoenix's check_origin). Requests without an <c>Origin</c> header
/// (non-browser clients) always pass. Origins without a host (<c>null</c>, <c>file://</c>) fail every check but <see cref="Custom"/>.
/// </summary>
/// <remarks>
/// From configuration (e.g. <c>Fenix:Sockets:UserSocket:CheckOrigin</c>) a check is a string: <c>*</c> (disabled),
/// <c>RequestHost</c>, <c>SameOrigin</c>, or allow-list entries separated by spaces or commas.
/// </remarks>
[TypeConverter(typeof(OriginCheckConverter))]
public abstract class OriginCheck
{
    /// <summary>Any origin (and no origin) may connect.</summary>
    public static OriginCheck Disabled { get; } = new DisabledCheck();

    /// <summary>The origin's host must equal the host the request was sent to (scheme and port ignored). The default.</summary>
    public static OriginCheck RequestHost { get; } = new RequestHostCheck();

    /// <summary>The origin's scheme, host and port must equal the request's own (Phoenix's <c>:conn</c>).</summary>
    public static OriginCheck SameOrigin { get; } = new SameOriginCheck();

    /// <summary>
    /// An allow-list. Each entry may omit parts, which then match anything: <c>"//example.com"</c> (any scheme and port),
    /// <c>"https://example.com"</c> (https on port 443 only), <c>"//example.com:8080"</c>, and <c>"//*.example.com"</c>
    /// (example.com and any subdomain, at any depth).
    /// </summary>
    public static OriginCheck Allow(params string[] origins) => new AllowListCheck(origins);

    /// <summary>Decides with <paramref name="predicate"/>, given the parsed origin (null when it is not an absolute URI).</summary>
    public static OriginCheck Custom(Func<Uri?, bool> predicate) => new CustomCheck(predicate);

    /// <summary>Whether the request's <c>Origin</c> header (if any) is allowed.</summary>
    public bool IsAllowed(HttpRequest request)
    {
        var origin = request.Headers.Origin;
        if (origin.Count == 0 || this is DisabledCheck)
        {
            return true;
        }

        var parsed = Uri.TryCreate(origin.ToString(), UriKind.Absolute, out var uri) ? uri : null;
        if (this is CustomCheck custom)
        {
            return custom.Predicate(parsed);
        }

        return parsed is not null && parsed.Host.Length > 0 && Check(parsed, request);
    }

    /// <summary>
    /// Reads a check written as text (configuration): <c>*</c> for <see cref="Disabled"/>, <c>RequestHost</c>,
    /// <c>SameOrigin</c>, or <see cref="Allow"/> entries separated by spaces or commas.
    /// </summary>
    public static OriginCheck Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = text.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return entries switch
        {
            [] => throw new FormatException("An origin check cannot be empty: write *, RequestHost, SameOrigin or allowed origins such as \"//example.com https://*.example.org\"."),
            ["*"] => Disabled,
            [var one] when one.Equals(nameof(RequestHost), StringComparison.OrdinalIgnoreCase) => RequestHost,
            [var one] when one.Equals(nameof(SameOrigin), StringComparison.OrdinalIgnoreCase) => SameOrigin,
            _ => Allow(entries),
        };
    }

    private protected abstract bool Check(Uri origin, HttpRequest request);

    private static int DefaultPort(string scheme) => scheme switch
    {
        "http" or "ws" => 80,
        "https" or "wss" => 443,
        _ => -1,
    };

    private sealed class DisabledCheck : OriginCheck
    {
        private protected override bool Check(Uri origin, HttpRequest request) => true;
    }

    private sealed class CustomCheck(Func<Uri?, bool> predicate) : OriginCheck
    {
        public Func<Uri?, bool> Predicate { get; } = predicate;

        private protected override bool Check(Uri origin, HttpRequest request) => Predicate(origin);
    }

    private sealed class RequestHostCheck : OriginCheck
    {
        private protected override bool Check(Uri origin, HttpRequest request) =>
            string.Equals(origin.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class SameOriginCheck : OriginCheck
    {
        private protected override bool Check(Uri origin, HttpRequest request) =>
            string.Equals(origin.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(origin.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase) &&
            origin.Port == (request.Host.Port ?? DefaultPort(request.Scheme));
    }

    private sealed class AllowListCheck : OriginCheck
    {
        private readonly AllowedOrigin[] _allowed;

        public AllowListCheck(string[] origins) => _allowed = [.. origins.Select(AllowedOrigin.Parse)];

        private protected override bool Check(Uri origin, HttpRequest request)
        {
            foreach (var allowed in _allowed)
            {
                if (allowed.Matches(origin))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>One allow-list entry; null parts are wildcards. A given scheme implies its default port unless a port is given.</summary>
    private sealed record AllowedOrigin(string? Scheme, string Host, int? Port)
    {
        public static AllowedOrigin Parse(string entry)
        {
            string? scheme = null;
            var rest = entry;
            var separator = entry.IndexOf("//", StringComparison.Ordinal);
            if (separator > 0 && entry[separator - 1] == ':')
            {
                scheme = entry[..(separator - 1)].ToLowerInvariant();
                rest = entry[(separator + 2)..];
            }
            else if (separator == 0)
            {
                rest = entry[2..];
            }

            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                rest = rest[..slash]; // an origin has no path: "https://example.com/app" allows https://example.com
            }

            int? port = null;
            var colon = rest.LastIndexOf(':');
            if (colon > 0 && int.TryParse(rest[(colon + 1)..], out var explicitPort))
            {
                port = explicitPort;
                rest = rest[..colon];
            }
            else if (scheme is not null && DefaultPort(scheme) > 0)
            {
                port = DefaultPort(scheme);
            }

            if (rest.Length == 0 || rest.StartsWith(':'))
            {
                throw new ArgumentException($"Allowed origin '{entry}' has no host. Write it like \"//example.com\" or \"https://example.com\".");
            }

            return new AllowedOrigin(scheme, rest.ToLowerInvariant(), port);
        }

        public bool Matches(Uri origin)
        {
            if (Scheme is not null && !string.Equals(Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (Port is { } port && port != origin.Port)
            {
                return false;
            }

            var host = origin.Host.ToLowerInvariant();
            if (Host.StartsWith("*.", StringComparison.Ordinal))
            {
                var parent = Host[2..];
                return host == parent || host.EndsWith("." + parent, StringComparison.Ordinal);
            }

            return host == Host;
        }
    }

    /// <summary>Lets configuration binding turn a string into a check (<see cref="Parse"/>).</summary>
    internal sealed class OriginCheckConverter : TypeConverter
    {
        public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
            sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

        public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
            value is string text ? Parse(text) : base.ConvertFrom(context, culture, value);
    }
}
