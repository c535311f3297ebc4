using System.Diagnostics;
using Fenix.Bench.Shared;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// What this load generator measured: every bench message's publish→receive latency, the slowest receive per
/// broadcast sequence number (fanout), and presence frames. Shared by all receive loops of the process.
/// </summary>
internal sealed class Recorder(bool presence)
{
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Per sequence number, the slowest receive in µs; sized by <see cref="Reset"/>.</summary>
    private long[] _seqMax = [];

    public LatencyHistogram Latency { get; } = new();

    public LatencyHistogram ConnectLatency { get; } = new();

    public long[] SeqMaxMicros => _seqMax;

    /// <summary>Clears what was measured; <paramref name="sequences"/> is how many broadcast numbers to track.</summary>
    public void Reset(int sequences)
    {
        Latency.Clear();
        _seqMax = new long[Math.Clamp(sequences, 0, 1_000_000)];
        Array.Fill(_seqMax, -1);
    }

    public void OnFrame(ClientConnection connection, ReadOnlySpan<byte> frame, long now)
    {
        if (presence && PresenceTracker.TryApply(connection, frame))
        {
            connection.PresenceFrames++;
            return;
        }

        var found = FrameScanner.Scan(frame, (this, connection, now), static (state, t, seq) =>
        {
            var (self, conn, received) = state;
            var micros = (long)((received - t) * MicrosPerTick);
            self.Latency.Record(micros);
            conn.CountSequence(seq);
            if (t < conn.FirstSentTs)
            {
                conn.FirstSentTs = t;
            }

            var slots = self._seqMax;
            if ((uint)seq < (uint)slots.Length)
            {
                InterlockedMax(ref slots[seq], micros);
            }
        });
        if (found > 0)
        {
            connection.Received += found;
            connection.LastReceivedTs = now;
        }
    }

    private static void InterlockedMax(ref long slot, long value)
    {
        var current = Volatile.Read(ref slot);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref slot, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
