using Fenix.Presence.Sharding;
using Xunit;

namespace Fenix.Presence.Tests.Sharding;

/// <summary>The topic → shard mapping every node must compute alike.</summary>
public sealed class ShardRouterTests
{
    [Theory]
    [InlineData("", 0x811C9DC5u)]
    [InlineData("a", 0xE40C292Cu)]
    [InlineData("foobar", 0xBF9CF968u)]
    public void The_hash_is_fnv1a_32_of_the_utf8_bytes(string topic, uint expected)
    {
        Assert.Equal(expected, ShardRouter.Hash(topic));
    }

    [Fact]
    public void Long_and_non_ascii_topics_hash_as_their_whole_utf8_encoding()
    {
        var topic = string.Concat(Enumerable.Repeat("rooms:café-😀-", 40));
        var bytes = System.Text.Encoding.UTF8.GetBytes(topic);
        var expected = 0x811C9DC5u;
        foreach (var b in bytes)
        {
            expected = (expected ^ b) * 16777619u;
        }

        Assert.Equal(expected, ShardRouter.Hash(topic));
    }

    [Fact]
    public void Topics_spread_over_shards_and_one_shard_takes_everything()
    {
        var counts = new int[8];
        for (var i = 0; i < 8_000; i++)
        {
            counts[ShardRouter.ShardOf($"rooms:{i}", 8)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 700, 1_300));
        Assert.Equal(0, ShardRouter.ShardOf("anything", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardRouter.ShardOf("x", 0));
    }
}
