using System.Text;

namespace Fenix.Presence.Sharding;

/// <summary>
/// Maps a topic to its shard with a hash every node computes alike (FNV-1a, 32 bits, over the topic's UTF-8 bytes),
/// modulo the shard count. Never <see cref="string.GetHashCode()"/>, which is randomised per process. Every node of a
/// cluster must use the same shard count, or nodes would gossip a topic on different shards.
/// </summary>
internal static class ShardRouter
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    /// <summary>The stable 32-bit hash of <paramref name="topic"/>.</summary>
    public static uint Hash(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var hash = OffsetBasis;
        Span<byte> buffer = stackalloc byte[256];
        var chars = topic.AsSpan();
        while (!chars.IsEmpty)
        {
            // Whole characters per chunk (at most 3 UTF-8 bytes per UTF-16 char), never splitting a surrogate pair.
            var take = Math.Min(chars.Length, buffer.Length / 3);
            if (take < chars.Length && char.IsHighSurrogate(chars[take - 1]))
            {
                take--;
            }

            var written = Encoding.UTF8.GetBytes(chars[..take], buffer);
            foreach (var b in buffer[..written])
            {
                hash = (hash ^ b) * Prime;
            }

            chars = chars[take..];
        }

        return hash;
    }

    /// <summary>The shard index of <paramref name="topic"/> among <paramref name="shardCount"/> shards.</summary>
    public static int ShardOf(string topic, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        return shardCount == 1 ? 0 : (int)(Hash(topic) % (uint)shardCount);
    }
}
