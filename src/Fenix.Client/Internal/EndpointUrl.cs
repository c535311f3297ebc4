using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fenix.Client.Internal;

/// <summary>
/// Builds connection URLs as phoenix.js does: <c>&lt;endpoint&gt;/websocket?&lt;params&gt;&amp;vsn=2.0.0</c>, and the
/// long-poll URL from it (<c>ws</c>→<c>http</c>, last <c>/websocket</c> segment → <c>/longpoll</c>).
/// </summary>
internal static class EndpointUrl
{
    private const string WebSocketSegment = "/websocket";
    private const string LongPollSegment = "/longpoll";

    /// <summary>Checks an endpoint such as <c>ws://host/socket</c> (http and https are accepted too) and drops a trailing slash.</summary>
    public static Uri NormalizeEndpoint(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            throw new ArgumentException(
                $"The endpoint must be an absolute ws://, wss://, http:// or https:// URL such as \"ws://localhost:4000/socket\", but was \"{endpoint}\".",
                nameof(endpoint));
        }

        var builder = new UriBuilder(uri)
        {
            Scheme = uri.Scheme is "https" or "wss" ? "wss" : "ws",
            Port = uri.IsDefaultPort ? -1 : uri.Port,
            Path = uri.AbsolutePath.TrimEnd('/'),
        };
        return builder.Uri;
    }

    /// <summary>The WebSocket URL for one connect: user params first, <c>vsn</c> last.</summary>
    public static Uri WebSocket(Uri endpoint, object? parameters, string vsn, JsonSerializerOptions json)
    {
        var url = new StringBuilder(endpoint.GetLeftPart(UriPartial.Path)).Append(WebSocketSegment);
        var query = endpoint.Query.TrimStart('?');
        var userParams = Query(parameters, json);
        foreach (var part in (ReadOnlySpan<string>)[query, userParams, "vsn=" + Uri.EscapeDataString(vsn)])
        {
            if (part.Length > 0)
            {
                url.Append(url.ToString().Contains('?', StringComparison.Ordinal) ? '&' : '?').Append(part);
            }
        }

        return new Uri(url.ToString());
    }

    /// <summary>The long-poll URL derived from a WebSocket URL (query kept).</summary>
    public static Uri LongPoll(Uri webSocketUrl)
    {
        var builder = new UriBuilder(webSocketUrl)
        {
            Scheme = webSocketUrl.Scheme == "wss" ? "https" : "http",
            Port = webSocketUrl.IsDefaultPort ? -1 : webSocketUrl.Port,
        };
        var path = builder.Path;
        if (path.EndsWith(WebSocketSegment, StringComparison.Ordinal))
        {
            builder.Path = path[..^WebSocketSegment.Length] + LongPollSegment;
        }

        return builder.Uri;
    }

    /// <summary>Appends <c>name=value</c> to a URL, after any existing query.</summary>
    public static Uri AppendParam(Uri url, string name, string value)
    {
        var text = url.ToString();
        var separator = text.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return new Uri($"{text}{separator}{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}");
    }

    /// <summary>
    /// Form-encodes connect params: an object or dictionary whose nested objects and arrays use bracket notation
    /// (<c>user[id]=1</c>, <c>ids[0]=a</c>); null values are left out.
    /// </summary>
    public static string Query(object? parameters, JsonSerializerOptions json)
    {
        if (parameters is null)
        {
            return "";
        }

        var element = parameters as JsonElement? ?? JsonSerializer.SerializeToElement(parameters, parameters.GetType(), json);
        if (element.ValueKind == JsonValueKind.Null)
        {
            return "";
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException(
                $"Connect params must serialize to a JSON object (e.g. new {{ token = \"...\" }}), but were {element.ValueKind}.",
                nameof(parameters));
        }

        var pairs = new List<string>();
        Flatten(element, null, pairs);
        return string.Join('&', pairs);
    }

    private static void Flatten(JsonElement element, string? key, List<string> pairs)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, key is null ? property.Name : $"{key}[{property.Name}]", pairs);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{key}[{index.ToString(CultureInfo.InvariantCulture)}]", pairs);
                    index++;
                }

                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            default:
                var value = element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => element.GetRawText(),
                };
                pairs.Add($"{Uri.EscapeDataString(key!)}={Uri.EscapeDataString(value)}");
                break;
        }
    }
}
