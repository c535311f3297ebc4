namespace Fenix.Bench.Shared;

/// <summary>
/// A log-linear histogram of microseconds (32 linear steps per power of two, so ≤ 3 % error), cheap enough to record
/// every delivery from many threads, and mergeable across load generators by adding counts.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearBelow = 64;
    private const int SubBuckets = 32;
    private const int SubBucketBits = 5;
    private const int MaxExponent = 42;
    private const int BucketCount = LinearBelow + ((MaxExponent - 6 + 1) * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];

    public long Count
    {
        get
        {
            long total = 0;
            foreach (var c in _counts)
            {
                total += c;
            }

            return total;
        }
    }

    /// <summary>Records one value; safe from any thread.</summary>
    public void Record(long micros) => Interlocked.Increment(ref _counts[IndexOf(Math.Max(0, micros))]);

    public void Clear() => Array.Clear(_counts);

    /// <summary>The counts, without trailing empty buckets (the wire form between processes).</summary>
    public long[] ToArray()
    {
        var last = Array.FindLastIndex(_counts, c => c != 0);
        return _counts.AsSpan(0, last + 1).ToArray();
    }

    public void Add(long[] counts)
    {
        for (var i = 0; i < counts.Length && i < _counts.Length; i++)
        {
            _counts[i] += counts[i];
        }
    }

    /// <summary>The value at percentile <paramref name="p"/> (0–100) in microseconds, or null when empty.</summary>
    public double? Percentile(double p)
    {
        var total = Count;
        if (total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(total * p / 100.0);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(1, rank))
            {
                return MidpointOf(i);
            }
        }

        return MidpointOf(_counts.Length - 1);
    }

    private static int IndexOf(long micros)
    {
        if (micros < LinearBelow)
        {
            return (int)micros;
        }

        var exponent = Math.Min(63 - long.LeadingZeroCount(micros), MaxExponent);
        var sub = (int)((micros >> (int)(exponent - SubBucketBits)) & (SubBuckets - 1));
        return (int)(LinearBelow + ((exponent - 6) * SubBuckets) + sub);
    }

    private static double MidpointOf(int index)
    {
        if (index < LinearBelow)
        {
            return index;
        }

        var exponent = ((index - LinearBelow) / SubBuckets) + 6;
        var sub = (index - LinearBelow) % SubBuckets;
        var width = 1L << (exponent - SubBucketBits);
        return (1L << exponent) + (sub * width) + (width / 2.0);
    }
}
