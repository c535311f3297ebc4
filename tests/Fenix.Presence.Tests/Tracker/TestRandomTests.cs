using Xunit;

namespace Fenix.Presence.Tests.Tracker;

public sealed class TestRandomTests
{
    [Fact]
    public void The_same_seed_replays_the_same_sequence_and_different_seeds_differ()
    {
        var first = new TestRandom(42);
        var second = new TestRandom(42);
        var other = new TestRandom(43);
        var a = Enumerable.Range(0, 20).Select(_ => first.NextUInt64()).ToArray();
        var b = Enumerable.Range(0, 20).Select(_ => second.NextUInt64()).ToArray();
        var c = Enumerable.Range(0, 20).Select(_ => other.NextUInt64()).ToArray();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Values_stay_in_range_and_cover_it()
    {
        var random = new TestRandom(7);
        var seen = new int[5];
        var hits = 0;
        for (var i = 0; i < 10_000; i++)
        {
            seen[random.Next(5)]++;
            if (random.Chance(0.25))
            {
                hits++;
            }
        }

        Assert.All(seen, count => Assert.InRange(count, 1_700, 2_300));
        Assert.InRange(hits, 2_200, 2_800);
    }
}
