using System.Buffers.Text;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// Finds the bench messages in a received frame without parsing its JSON: each carries <c>"t":&lt;timestamp&gt;</c>, and
/// fanout messages <c>,"seq":&lt;n&gt;</c> right after. A SignalR frame may hold several records, so all are found.
/// Servers that only relay a string (samples/Chat's <c>body</c>) carry <c>@t&lt;timestamp&gt;@s&lt;n&gt;@</c> inside it instead.
/// </summary>
internal static class FrameScanner
{
    /// <summary>The in-string form of a timestamp and sequence number: only characters no JSON encoder escapes.</summary>
    public static string BodyMarker(long t, int seq) => $"@t{t}@s{seq}@";

    /// <summary>Calls <paramref name="onMessage"/> (t, seq or -1) for each bench message in <paramref name="frame"/>.</summary>
    public static int Scan<TState>(ReadOnlySpan<byte> frame, TState state, Action<TState, long, int> onMessage)
    {
        var found = ScanFields(frame, state, onMessage);
        return found > 0 ? found : ScanMarkers(frame, state, onMessage);
    }

    private static int ScanFields<TState>(ReadOnlySpan<byte> frame, TState state, Action<TState, long, int> onMessage)
    {
        var found = 0;
        while (true)
        {
            var at = frame.IndexOf("\"t\":"u8);
            if (at < 0)
            {
                return found;
            }

            frame = frame[(at + 4)..];
            if (!Utf8Parser.TryParse(frame, out long t, out var consumed))
            {
                continue;
            }

            frame = frame[consumed..];
            var seq = -1;
            if (frame.StartsWith(",\"seq\":"u8) && Utf8Parser.TryParse(frame[7..], out int parsed, out var seqConsumed))
            {
                seq = parsed;
                frame = frame[(7 + seqConsumed)..];
            }

            onMessage(state, t, seq);
            found++;
        }
    }

    private static int ScanMarkers<TState>(ReadOnlySpan<byte> frame, TState state, Action<TState, long, int> onMessage)
    {
        var found = 0;
        while (true)
        {
            var at = frame.IndexOf("@t"u8);
            if (at < 0)
            {
                return found;
            }

            frame = frame[(at + 2)..];
            if (!Utf8Parser.TryParse(frame, out long t, out var consumed))
            {
                continue;
            }

            frame = frame[consumed..];
            var seq = -1;
            if (frame.StartsWith("@s"u8) && Utf8Parser.TryParse(frame[2..], out int parsed, out var seqConsumed))
            {
                seq = parsed;
                frame = frame[(2 + seqConsumed)..];
            }

            onMessage(state, t, seq);
            found++;
        }
    }
}
