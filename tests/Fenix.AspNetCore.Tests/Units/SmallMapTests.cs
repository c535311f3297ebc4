using Fenix.AspNetCore.Internal;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>The one-entry-inline map behaves exactly as a dictionary, through growth to a table and back.</summary>
public sealed class SmallMapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_operations_match_a_dictionary(int seed)
    {
        var random = new Random(seed);
        var map = new SmallMap<string, int>(StringComparer.Ordinal);
        var reference = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var step = 0; step < 5_000; step++)
        {
            // Few keys, so that the map often goes 0 → 1 → 2 entries and back.
            var key = "k" + random.Next(seed + 1);
            var value = random.Next(1000);
            switch (random.Next(5))
            {
                case 0:
                    map.Set(key, value);
                    reference[key] = value;
                    break;
                case 1:
                    if (reference.TryAdd(key, value))
                    {
                        map.Add(key, value);
                    }
                    else
                    {
                        Assert.Throws<ArgumentException>(() => map.Add(key, value));
                    }

                    break;
                case 2:
                    Assert.Equal(reference.Remove(key, out var expected), map.Remove(key, out var removed));
                    Assert.Equal(expected, removed);
                    break;
                default:
                    Assert.Equal(reference.TryGetValue(key, out var want), map.TryGetValue(key, out var got));
                    Assert.Equal(want, got);
                    break;
            }

            Assert.Equal(reference.Count, map.Count);
            Assert.Equal(reference.Keys.Order(StringComparer.Ordinal), map.Keys.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Adding_a_present_key_throws_like_a_dictionary()
    {
        var map = new SmallMap<object, int>(ReferenceEqualityComparer.Instance);
        var one = new object();
        map.Add(one, 1);
        Assert.Throws<ArgumentException>(() => map.Add(one, 2));
        map.Add(new object(), 2);
        Assert.Throws<ArgumentException>(() => map.Add(one, 3));
        Assert.Equal(1, map.GetValueOrDefault(one));
    }

    [Fact]
    public void Keys_compare_with_the_given_comparer()
    {
        var map = new SmallMap<string, int>(StringComparer.Ordinal);
        map.Set("a", 1);
        Assert.False(map.TryGetValue(new string('a', 1).ToUpperInvariant(), out _));
        Assert.True(map.TryGetValue(new string('a', 1), out var value));
        Assert.Equal(1, value);
    }
}
