using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Fenix.AspNetCore.Transports.WebSockets.Direct;

/// <summary>
/// The direct listener's HTTP/1.1 answers, written as Kestrel writes them for the normal endpoint: the same status
/// lines and headers (<c>Date</c>, <c>Server</c> when Kestrel adds it), so clients cannot tell the paths apart.
/// </summary>
internal static class HandshakeResponse
{
    /// <summary>101 Switching Protocols with the accept key and the selected subprotocol (if any).</summary>
    public static ValueTask<FlushResult> WriteSwitchingProtocolsAsync(PipeWriter output, string acceptKey, string? subprotocol, bool addServerHeader, TimeProvider time)
    {
        var text = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n");
        AppendDateAndServer(text, addServerHeader, time);
        text.Append("Upgrade: websocket\r\nSec-WebSocket-Accept: ").Append(acceptKey).Append("\r\n");
        if (subprotocol is not null)
        {
            text.Append("Sec-WebSocket-Protocol: ").Append(subprotocol).Append("\r\n");
        }

        return WriteAsync(output, text.Append("\r\n"));
    }

    /// <summary>
    /// An answer without a body: a refusal (the connect callback said no, or failed), after which the connection stays open
    /// for more requests, or with <paramref name="close"/> the last answer on the connection.
    /// </summary>
    public static ValueTask<FlushResult> WriteStatusAsync(PipeWriter output, int status, bool addServerHeader, TimeProvider time, bool close = false)
    {
        var text = new StringBuilder("HTTP/1.1 ")
            .Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrases.GetReasonPhrase(status))
            .Append(close ? "\r\nConnection: close" : "").Append("\r\nContent-Length: 0\r\n");
        AppendDateAndServer(text, addServerHeader, time);
        return WriteAsync(output, text.Append("\r\n"));
    }

    private static void AppendDateAndServer(StringBuilder text, bool addServerHeader, TimeProvider time)
    {
        text.Append("Date: ").Append(time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        if (addServerHeader)
        {
            text.Append("Server: Kestrel\r\n");
        }
    }

    private static ValueTask<FlushResult> WriteAsync(PipeWriter output, StringBuilder text)
    {
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        return output.WriteAsync(bytes);
    }
}
