using System.Buffers.Text;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// Finds the bench messages in a received frame without parsing its JSON: each carries <c>"t":&lt;timestamp&gt;</c>, and
/// fanout messages <c>,"seq":&lt;n&gt;</c> right after. A SignalR frame may hold several records, so all are found.
/// </summary>
internal static class FrameScanner
{
    /// <summary>Calls <paramref name="onMessage"/> (t, seq or -1) for each bench message in <paramref name="frame"/>.</summary>
    public static int Scan<TState>(ReadOnlySpan<byte> frame, TState state, Action<TState, long, int> onMessage)
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
}
