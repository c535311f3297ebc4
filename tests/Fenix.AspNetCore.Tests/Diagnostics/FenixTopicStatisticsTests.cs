using Fenix.Diagnostics;
using Xunit;

namespace Fenix.AspNetCore.Tests.Diagnostics;

/// <summary>Joined channels per topic: exact under concurrent joins and leaves, and the busiest topics first.</summary>
public sealed class FenixTopicStatisticsTests
{
    [Fact]
    public void Top_lists_the_busiest_topics_first_and_ties_by_name()
    {
        var topics = new FenixTopicStatistics();
        foreach (var (topic, channels) in new[] { ("b", 2), ("a", 2), ("c", 5), ("d", 1) })
        {
            for (var i = 0; i < channels; i++)
            {
                topics.Joined(topic);
            }
        }

        Assert.Equal([new("c", 5), new("a", 2), new("b", 2)], topics.Top(3));
        Assert.Equal(4, topics.TopicCount);
        Assert.Empty(topics.Top(0));
        Assert.Equal(4, topics.Top(10).Count);
    }

    [Fact]
    public void A_topic_leaves_the_statistics_with_its_last_channel()
    {
        var topics = new FenixTopicStatistics();
        topics.Joined("rooms:1");
        topics.Joined("rooms:1");
        topics.Left("rooms:1");
        Assert.Equal(1, topics.ChannelsOn("rooms:1"));
        topics.Left("rooms:1");
        Assert.Equal(0, topics.TopicCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Concurrent_joins_and_leaves_never_lose_a_count(int seed)
    {
        var topics = new FenixTopicStatistics();
        var random = new Random(seed);
        var plans = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 2_000).Select(_ => random.Next(3)).ToArray()).ToArray();

        // Each worker joins then leaves the same topic, so every pair balances: the end state is empty whatever the interleaving.
        await Task.WhenAll(plans.Select(plan => Task.Run(() =>
        {
            foreach (var topic in plan)
            {
                topics.Joined($"t{topic}");
                topics.Left($"t{topic}");
            }
        })));
        Assert.Equal(0, topics.TopicCount);

        await Task.WhenAll(plans.Select(plan => Task.Run(() =>
        {
            foreach (var topic in plan)
            {
                topics.Joined($"t{topic}");
            }
        })));
        for (var t = 0; t < 3; t++)
        {
            Assert.Equal(plans.Sum(plan => plan.Count(x => x == t)), topics.ChannelsOn($"t{t}"));
        }
    }
}
