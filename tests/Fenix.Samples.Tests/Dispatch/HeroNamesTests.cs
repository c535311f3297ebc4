using Demo.Dispatch;
using Xunit;

namespace Fenix.Samples.Tests.Dispatch;

public sealed class HeroNamesTests
{
    [Fact]
    public void Names_stay_unique_beyond_the_pairs_by_adding_a_number()
    {
        var names = new HeroNames(new Random(7));

        var issued = Enumerable.Range(0, names.Pairs * 2 + 3).Select(_ => names.Next()).ToList();

        Assert.Equal(issued.Count, issued.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, issued[0].Split(' ').Length);
        Assert.EndsWith(" 2", issued[names.Pairs], StringComparison.Ordinal);
        Assert.EndsWith(" 3", issued[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Names_are_handed_out_safely_from_many_threads()
    {
        var names = new HeroNames();
        var issued = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 1_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => issued.Add(names.Next()));

        Assert.Equal(1_000, issued.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_restored_name_is_never_issued_again()
    {
        var reference = new HeroNames(new Random(3));
        var upcoming = Enumerable.Range(0, 5).Select(_ => reference.Next()).ToList();

        var names = new HeroNames(new Random(3));
        Assert.Equal(upcoming[2], names.Restore(upcoming[2])); // e.g. a hero from before a restart
        var issued = Enumerable.Range(0, 4).Select(_ => names.Next()).ToList();

        Assert.Equal([upcoming[0], upcoming[1], upcoming[3], upcoming[4]], issued);
    }
}
