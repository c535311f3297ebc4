using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Net.Http.Headers;

namespace Fenix.AspNetCore.Transports.WebSockets.Direct;

/// <summary>What reading the first bytes of a connection decided.</summary>
internal enum HeadOutcome
{
    /// <summary>Could still be a plain WebSocket upgrade: read more.</summary>
    NeedMore,

    /// <summary>Not a request the direct listener takes: Kestrel's HTTP stack gets the connection, bytes untouched.</summary>
    NotCandidate,

    /// <summary>A complete, plainly formed <c>GET … HTTP/1.1</c> head.</summary>
    Parsed,
}

/// <summary>
/// The head of an HTTP/1.1 <c>GET</c> read by the direct listener. Deliberately narrow: only a plainly formed request
/// (origin-form target without percent-escapes, one Host, no body, ASCII headers, inside Kestrel's size limits) is
/// parsed; anything else is <see cref="HeadOutcome.NotCandidate"/>, and Kestrel's own parser answers it as it always does.
/// </summary>
internal sealed class UpgradeRequestHead
{
    /// <summary>The first byte of a TLS record carrying a handshake (a ClientHello).</summary>
    public const byte TlsHandshakeRecord = 0x16;

    private static ReadOnlySpan<byte> Get => "GET "u8;

    private static ReadOnlySpan<byte> Http11 => " HTTP/1.1"u8;

    private UpgradeRequestHead(int length, string path, string query, IHeaderDictionary headers)
    {
        Length = length;
        Path = path;
        QueryString = query;
        Headers = headers;
    }

    /// <summary>Bytes of the head, the blank line included.</summary>
    public int Length { get; }

    /// <summary>The request path (no escapes to decode: such targets are not candidates).</summary>
    public string Path { get; }

    /// <summary>The query with its leading '?', or empty.</summary>
    public string QueryString { get; }

    public IHeaderDictionary Headers { get; }

    public static HeadOutcome TryParse(in ReadOnlySequence<byte> buffer, KestrelServerLimits limits, out UpgradeRequestHead? head)
    {
        head = null;
        var maxLength = limits.MaxRequestLineSize + limits.MaxRequestHeadersTotalSize;
        var available = (int)Math.Min(buffer.Length, maxLength);
        if (available == 0)
        {
            return HeadOutcome.NeedMore;
        }

        Span<byte> prefix = stackalloc byte[4];
        var prefixLength = Math.Min(available, 4);
        buffer.Slice(0, prefixLength).CopyTo(prefix);
        if (!Get[..prefixLength].SequenceEqual(prefix[..prefixLength]))
        {
            return HeadOutcome.NotCandidate;
        }

        var bytes = buffer.IsSingleSegment ? buffer.FirstSpan[..available] : (ReadOnlySpan<byte>)buffer.Slice(0, available).ToArray();
        var end = bytes.IndexOf("\r\n\r\n"u8);
        if (HasBareLineFeed(end < 0 ? bytes : bytes[..end]))
        {
            // Kestrel accepts lines ended by a bare LF; waiting here for a CRLF CRLF that never comes would hang the client.
            return HeadOutcome.NotCandidate;
        }

        if (end < 0)
        {
            return buffer.Length >= maxLength ? HeadOutcome.NotCandidate : HeadOutcome.NeedMore;
        }

        var lineEnd = bytes.IndexOf("\r\n"u8);
        if (lineEnd > limits.MaxRequestLineSize || !TryParseRequestLine(bytes[..lineEnd], out var path, out var query))
        {
            return HeadOutcome.NotCandidate;
        }

        IHeaderDictionary headers = new HeaderDictionary();
        var rest = bytes[(lineEnd + 2)..(end + 2)];
        var count = 0;
        while (!rest.IsEmpty)
        {
            var next = rest.IndexOf("\r\n"u8);
            if (++count > limits.MaxRequestHeaderCount || !TryAddHeader(rest[..next], headers))
            {
                return HeadOutcome.NotCandidate;
            }

            rest = rest[(next + 2)..];
        }

        if (end + 2 - lineEnd > limits.MaxRequestHeadersTotalSize || headers.Host.Count != 1 || !IsHost(headers.Host.ToString())
            || headers.ContentLength is not null || headers.TransferEncoding.Count > 0)
        {
            return HeadOutcome.NotCandidate;
        }

        head = new UpgradeRequestHead(end + 4, path, query, headers);
        return HeadOutcome.Parsed;
    }

    private static bool HasBareLineFeed(ReadOnlySpan<byte> bytes)
    {
        for (var at = bytes.IndexOf((byte)'\n'); at >= 0; at = bytes.IndexOf((byte)'\n'))
        {
            if (at == 0 || bytes[at - 1] != (byte)'\r')
            {
                return true;
            }

            bytes = bytes[(at + 1)..];
        }

        return false;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, out string path, out string query)
    {
        path = query = "";
        if (line.Length <= Get.Length + Http11.Length || !line.EndsWith(Http11))
        {
            return false;
        }

        var target = line[Get.Length..^Http11.Length];
        if (target.IsEmpty || target[0] != '/')
        {
            return false;
        }

        foreach (var b in target)
        {
            if (b is <= 0x20 or >= 0x7F or (byte)'#')
            {
                return false;
            }
        }

        var question = target.IndexOf((byte)'?');
        var rawPath = question < 0 ? target : target[..question];
        if (rawPath.Contains((byte)'%') || rawPath.IndexOf("//"u8) >= 0 || rawPath.IndexOf("/."u8) >= 0)
        {
            return false; // escapes, empty or dot segments: Kestrel normalizes those, the direct listener does not
        }

        path = Encoding.ASCII.GetString(rawPath);
        query = question < 0 ? "" : Encoding.ASCII.GetString(target[question..]);
        return true;
    }

    private static bool TryAddHeader(ReadOnlySpan<byte> line, IHeaderDictionary headers)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        foreach (var b in line[..colon])
        {
            if (!IsTokenChar(b))
            {
                return false; // also refuses whitespace before the colon and obs-fold continuation lines
            }
        }

        var value = line[(colon + 1)..];
        foreach (var b in value)
        {
            if (b is (< 0x20 and not (byte)'\t') or >= 0x7F)
            {
                return false;
            }
        }

        value = value.Trim(" \t"u8);
        headers.Append(KnownName(line[..colon]) ?? Encoding.ASCII.GetString(line[..colon]), KnownValue(value) ?? Encoding.ASCII.GetString(value));
        return true;
    }

    /// <summary>
    /// The shared name of a header every WebSocket handshake sends (as Kestrel names known headers), so the strings of a
    /// connect are its values only; null for others.
    /// </summary>
    private static string? KnownName(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when Ascii.EqualsIgnoreCase(name, "Host"u8) => HeaderNames.Host,
        6 when Ascii.EqualsIgnoreCase(name, "Origin"u8) => HeaderNames.Origin,
        7 when Ascii.EqualsIgnoreCase(name, "Upgrade"u8) => HeaderNames.Upgrade,
        10 when Ascii.EqualsIgnoreCase(name, "Connection"u8) => HeaderNames.Connection,
        10 when Ascii.EqualsIgnoreCase(name, "User-Agent"u8) => HeaderNames.UserAgent,
        17 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Key"u8) => HeaderNames.SecWebSocketKey,
        21 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Version"u8) => HeaderNames.SecWebSocketVersion,
        22 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Protocol"u8) => HeaderNames.SecWebSocketProtocol,
        24 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Extensions"u8) => HeaderNames.SecWebSocketExtensions,
        _ => null,
    };

    /// <summary>Shared strings for the values nearly every handshake repeats; null for others.</summary>
    private static string? KnownValue(ReadOnlySpan<byte> value) =>
        value.SequenceEqual("websocket"u8) ? "websocket"
        : value.SequenceEqual("Upgrade"u8) ? "Upgrade"
        : value.SequenceEqual("13"u8) ? "13"
        : null;

    private static bool IsTokenChar(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
        or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
        or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';

    private static bool IsHost(string host)
    {
        if (host.Length == 0)
        {
            return false;
        }

        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
