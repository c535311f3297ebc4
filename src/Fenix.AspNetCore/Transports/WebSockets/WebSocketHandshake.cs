using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>The pure parts of the RFC 6455 opening handshake and of Phoenix's subprotocol conventions.</summary>
internal static class WebSocketHandshake
{
    public const string AuthTokenPrefix = "base64url.bearer.phx.";
    public const string PhoenixSubprotocol = "phoenix";

    private static readonly byte[] AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    /// <summary>Checks the upgrade headers; returns null when valid, else the reason for a 400 answer.</summary>
    public static string? Validate(HttpRequest request)
    {
        if (!HasToken(request.Headers.Connection, "upgrade"))
        {
            return "'connection' header must contain 'upgrade'";
        }

        if (!HasToken(request.Headers.Upgrade, "websocket"))
        {
            return "'upgrade' header must contain 'websocket'";
        }

        if (request.Headers.SecWebSocketVersion.ToString() != "13")
        {
            return "'sec-websocket-version' header must be 13";
        }

        var key = request.Headers.SecWebSocketKey.ToString();
        Span<byte> decoded = stackalloc byte[32];
        if (!Convert.TryFromBase64String(key, decoded, out var length) || length != 16)
        {
            return "'sec-websocket-key' header must be the Base64 of 16 bytes";
        }

        return null;
    }

    /// <summary>
    /// Checks an HTTP/2 extended CONNECT (RFC 8441 §4: <c>:protocol</c> websocket, version 13; there is no key and no
    /// accept header); returns null when valid, else the reason for a 400 answer.
    /// </summary>
    public static string? ValidateExtendedConnect(HttpRequest request, string? protocol)
    {
        if (!string.Equals(protocol, "websocket", StringComparison.OrdinalIgnoreCase))
        {
            return "the ':protocol' of an extended CONNECT must be 'websocket'";
        }

        return request.Headers.SecWebSocketVersion.ToString() != "13" ? "'sec-websocket-version' header must be 13" : null;
    }

    /// <summary>The <c>Sec-WebSocket-Accept</c> answer for a client key.</summary>
    public static string AcceptKey(string key)
    {
        var input = new byte[Encoding.ASCII.GetByteCount(key) + AcceptGuid.Length];
        var written = Encoding.ASCII.GetBytes(key, input);
        AcceptGuid.CopyTo(input, written);
#pragma warning disable CA5350 // RFC 6455 mandates SHA-1 here; it is a handshake checksum, not security.
        return Convert.ToBase64String(SHA1.HashData(input));
#pragma warning restore CA5350
    }

    /// <summary>
    /// Splits the offered subprotocols into the Phoenix auth token (from a single <c>base64url.bearer.phx.*</c> entry)
    /// and the remaining offers, then picks the first protocol of the server's list that the client offered.
    /// </summary>
    /// <returns>False when the client offered protocols and none is acceptable (answer 403).</returns>
    public static bool TryNegotiateSubprotocol(
        StringValues header,
        IList<string> serverProtocols,
        out string? selected,
        out string? authToken)
    {
        selected = null;
        authToken = null;
        var offered = new List<string>();
        var tokens = new List<string>();
        foreach (var value in header)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                (part.StartsWith(AuthTokenPrefix, StringComparison.Ordinal) ? tokens : offered).Add(part);
            }
        }

        if (tokens.Count == 1)
        {
            authToken = DecodeToken(tokens[0][AuthTokenPrefix.Length..]);
        }
        else
        {
            offered.AddRange(tokens);
        }

        if (offered.Count == 0)
        {
            return true;
        }

        if (offered.Contains(PhoenixSubprotocol))
        {
            selected = PhoenixSubprotocol;
            return true;
        }

        foreach (var protocol in serverProtocols)
        {
            if (offered.Contains(protocol))
            {
                selected = protocol;
                return true;
            }
        }

        return false;
    }

    /// <summary>Decodes standard or URL-safe Base64, padded or not (clients disagree; see protocol.md §11.11).</summary>
    public static string? DecodeToken(string encoded)
    {
        var normalized = encoded.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        normalized += (normalized.Length % 4) switch
        {
            2 => "==",
            3 => "=",
            _ => "",
        };

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(normalized));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool HasToken(StringValues values, string token)
    {
        foreach (var value in values)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
            {
                if (string.Equals(part, token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
