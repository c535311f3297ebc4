namespace Fenix.Bench.ServerKit;

/// <summary>
/// What the server broadcasts in the fanout scenario, serialized by each server's own API (so to JSON
/// <c>{"t":…,"seq":…,"body":"…"}</c>). <see cref="T"/> is <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at
/// publish time: CLOCK_MONOTONIC in nanoseconds on Linux, so the load generators on this machine can subtract it.
/// </summary>
public sealed record BenchMessage(long T, int Seq, string Body)
{
    /// <summary>The JSON of a message with an empty body and the widest numbers, for sizing the padding.</summary>
    private const int OverheadBytes = 48;

    /// <summary>A body that makes the serialized message about <paramref name="size"/> bytes (ASCII, no escaping).</summary>
    public static string PaddingFor(int size) => new('x', Math.Max(0, size - OverheadBytes));
}
