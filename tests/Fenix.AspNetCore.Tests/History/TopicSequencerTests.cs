using Fenix.AspNetCore.History;
using Fenix.PubSub.History;
using Xunit;

namespace Fenix.AspNetCore.Tests.History;

/// <summary>
/// A node's ordered delivery of a history topic: in offset order, each once, holes filled from the store or reported
/// as gaps, time an input (no clock, no sleeps). A seeded randomized test shuffles arrivals.
/// </summary>
public sealed class TopicSequencerTests
{
    private const string E1 = "0aaaaaaaa0000", E2 = "0aaaaaaab0000";
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    [Fact]
    public void Messages_that_arrive_out_of_order_are_handed_on_in_order()
    {
        var sequencer = Seeded(through: 0);
        Assert.Empty(Messages(sequencer.Arrive(P(E1, 2), "2", 0)));
        Assert.Empty(Messages(sequencer.Arrive(P(E1, 3), "3", 0)));
        Assert.Equal(["1", "2", "3"], Messages(sequencer.Arrive(P(E1, 1), "1", 0)));
        Assert.Empty(Messages(sequencer.Arrive(P(E1, 2), "2 again", 0))); // a duplicate
        Assert.Equal(3, sequencer.Through);
    }

    [Fact]
    public void A_hole_still_open_after_the_window_is_read_from_the_store_and_filled()
    {
        var sequencer = Seeded(through: 0);
        var held = sequencer.Arrive(P(E1, 3), "3", 0);
        Assert.Equal(500, held.WakeAtMs);
        Assert.Null(sequencer.Tick(499).Fetch);
        var tick = sequencer.Tick(500);
        Assert.Equal((E1, 0L, 2), tick.Fetch);
        var filled = sequencer.Filled(E1, [(1, "1"), (2, "2")], 510);
        Assert.Equal(["1", "2", "3"], Messages(filled));
        Assert.DoesNotContain(filled.Output, o => o.Kind == SequencedKind.Gap);
    }

    [Fact]
    public void Messages_the_store_cannot_give_become_a_gap_before_what_follows()
    {
        var sequencer = Seeded(through: 0);
        sequencer.Arrive(P(E1, 3), "3", 0);
        Assert.NotNull(sequencer.Tick(500).Fetch);
        var failed = sequencer.FillFailed(600);
        Assert.Equal([SequencedKind.Gap, SequencedKind.Message], failed.Output.Select(o => o.Kind));
        Assert.Equal(3, sequencer.Through);
    }

    [Fact]
    public void A_newer_epoch_is_a_gap_and_older_epochs_are_stragglers()
    {
        var sequencer = Seeded(through: 0);
        sequencer.Arrive(P(E1, 1), "1", 0);
        var restarted = sequencer.Arrive(P(E2, 1), "new 1", 0);
        Assert.Equal([SequencedKind.Gap, SequencedKind.Message], restarted.Output.Select(o => o.Kind));
        Assert.Equal(E2, sequencer.Epoch);
        Assert.Empty(sequencer.Arrive(P(E1, 2), "old 2", 0).Output);
    }

    [Fact]
    public void An_unseeded_feed_holds_messages_until_a_read_seeds_it_and_drops_what_the_read_covers()
    {
        var sequencer = new TopicSequencer<string>(Window, maxHeld: 100);
        Assert.Empty(sequencer.Arrive(P(E1, 5), "5", 0).Output);
        Assert.Empty(sequencer.Arrive(P(E1, 6), "6", 0).Output);
        var (epoch, through, step) = sequencer.Seed(E1, 5, 10);
        Assert.Equal((E1, 5L), (epoch, through));
        Assert.Equal(["6"], Messages(step));
        Assert.Equal((E1, 5L), (sequencer.Seed(E1, 9, 20).Epoch, sequencer.SeedThrough)); // later seeds change nothing
    }

    [Fact]
    public void Shuffled_arrivals_with_duplicates_come_out_in_order_once_for_every_seed()
    {
        for (var seed = 1; seed <= 300; seed++)
        {
            var random = new Random(seed);
            var sequencer = Seeded(through: 0);
            var count = random.Next(1, 40);
            var arrivals = Enumerable.Range(1, count).SelectMany(i => random.Next(4) == 0 ? new[] { i, i } : [i]).OrderBy(_ => random.Next()).ToList();
            var output = new List<long>();
            foreach (var offset in arrivals)
            {
                var step = sequencer.Arrive(P(E1, offset), offset.ToString(System.Globalization.CultureInfo.InvariantCulture), 0);
                Assert.Null(step.Fetch);
                output.AddRange(step.Output.Where(o => o.Kind == SequencedKind.Message).Select(o => o.Offset));
            }

            Assert.True(Enumerable.Range(1, count).Select(i => (long)i).SequenceEqual(output), $"seed {seed}: {string.Join(",", output)}");
            Assert.Equal(0, sequencer.HeldCount);
        }
    }

    private static TopicSequencer<string> Seeded(long through)
    {
        var sequencer = new TopicSequencer<string>(Window, maxHeld: 100);
        sequencer.Seed(E1, through, 0);
        return sequencer;
    }

    private static HistoryPosition P(string epoch, long offset) => new(epoch, offset);

    private static List<string> Messages(SequencerStep<string> step) =>
        [.. step.Output.Where(o => o.Kind == SequencedKind.Message).Select(o => o.Item)];
}
