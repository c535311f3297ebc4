using System.IO.Pipelines;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.WebUtilities;

namespace Fenix.AspNetCore.Transports.WebSockets.Direct;

/// <summary>
/// The direct listener's HTTP/1.1 answers, written as Kestrel writes them for the normal endpoint: the same status
/// lines and headers (<c>Date</c>, <c>Server</c> when Kestrel adds it), so clients cannot tell the paths apart. They are
/// formatted straight into the connection's output (one per connect: no builder, string or array to collect).
/// </summary>
internal static class HandshakeResponse
{
    /// <summary>Room for a status line and the fixed headers; a subprotocol's length is added to it.</summary>
    private const int FixedHeadRoom = 256;

    private static ReadOnlySpan<byte> ServerHeader => "Server: Kestrel\r\n"u8;

    /// <summary>101 Switching Protocols with the accept key and the selected subprotocol (if any).</summary>
    public static ValueTask<FlushResult> WriteSwitchingProtocolsAsync(PipeWriter output, string acceptKey, string? subprotocol, bool addServerHeader, TimeProvider time)
    {
        // Header values here are ASCII (the accept key is base64, a subprotocol a token the parser checked), so a
        // character is a byte; the UTF-8 bound keeps the span large enough whatever a caller passes.
        var span = output.GetSpan(FixedHeadRoom + Encoding.UTF8.GetMaxByteCount(acceptKey.Length + (subprotocol?.Length ?? 0)));
        var length = Format(span, $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nDate: {time.GetUtcNow():r}\r\n");
        length += ServerHeaderIf(span[length..], addServerHeader);
        length += Format(span[length..], $"Upgrade: websocket\r\nSec-WebSocket-Accept: {acceptKey}\r\n");
        if (subprotocol is not null)
        {
            length += Format(span[length..], $"Sec-WebSocket-Protocol: {subprotocol}\r\n");
        }

        "\r\n"u8.CopyTo(span[length..]);
        output.Advance(length + 2);
        return output.FlushAsync();
    }

    /// <summary>
    /// An answer without a body: a refusal (the connect callback said no, or failed), after which the connection stays open
    /// for more requests, or with <paramref name="close"/> the last answer on the connection.
    /// </summary>
    public static ValueTask<FlushResult> WriteStatusAsync(PipeWriter output, int status, bool addServerHeader, TimeProvider time, bool close = false)
    {
        var reason = ReasonPhrases.GetReasonPhrase(status);
        var span = output.GetSpan(FixedHeadRoom + Encoding.UTF8.GetMaxByteCount(reason.Length));
        var length = Format(span, $"HTTP/1.1 {status} {reason}{(close ? "\r\nConnection: close" : "")}\r\nContent-Length: 0\r\nDate: {time.GetUtcNow():r}\r\n");
        length += ServerHeaderIf(span[length..], addServerHeader);
        "\r\n"u8.CopyTo(span[length..]);
        output.Advance(length + 2);
        return output.FlushAsync();
    }

    private static int ServerHeaderIf(Span<byte> span, bool addServerHeader)
    {
        if (!addServerHeader)
        {
            return 0;
        }

        ServerHeader.CopyTo(span);
        return ServerHeader.Length;
    }

    private static int Format(Span<byte> span, [System.Runtime.CompilerServices.InterpolatedStringHandlerArgument(nameof(span))] ref Utf8.TryWriteInterpolatedStringHandler text)
    {
        if (!Utf8.TryWrite(span, ref text, out var written))
        {
            throw new InvalidOperationException("The handshake answer outgrew the room reserved for it.");
        }

        return written;
    }
}
