using System.Globalization;
using Xunit;

namespace Fenix.AspNetCore.Tests.History;

/// <summary>
/// Replay before live, with no gap and no duplicate, whatever the point a live message races the recovery at: each
/// seed chooses a different interleaving of the join, the store's answers and the live broadcasts (see
/// <see cref="HistoryMergeRun"/>). <c>FENIX_INTERLEAVING_SEED</c> replays one seed, <c>FENIX_INTERLEAVING_RUNS</c> sets the count.
/// </summary>
public sealed class HistoryMergeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_recovering_join_gets_every_missed_and_live_message_once_in_order_in_every_interleaving_tried(bool intercepting)
    {
        var failures = new List<string>();
        foreach (var seed in Seeds(defaultRuns: 1000))
        {
            if (new HistoryMergeRun(seed).Run(intercepting) is { } failure)
            {
                failures.Add(failure);
                if (failures.Count == 3)
                {
                    break;
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private static IEnumerable<int> Seeds(int defaultRuns)
    {
        if (Environment.GetEnvironmentVariable("FENIX_INTERLEAVING_SEED") is { Length: > 0 } replay)
        {
            return [int.Parse(replay, CultureInfo.InvariantCulture)];
        }

        var runs = Environment.GetEnvironmentVariable("FENIX_INTERLEAVING_RUNS") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : defaultRuns;
        return Enumerable.Range(1, runs);
    }
}
