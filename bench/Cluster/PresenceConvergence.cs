using System.Diagnostics;
using Fenix.Presence;

namespace Fenix.Bench.Cluster;

/// <summary>
/// How long a node that joins the cluster takes to see the presences the other node already tracks: node A tracks
/// N users on one topic and gossips them (to nobody), then node B starts and polls its own (local) list until it holds
/// all N — which takes heartbeats, a clock sample and a full-state transfer.
/// </summary>
internal static class PresenceConvergence
{
    private const string Topic = "rooms:big";

    public static async Task RunAsync(BenchBackend backend, string prefix, int users, TextWriter output)
    {
        await using var a = await BenchNode.StartAsync(backend, prefix, "presence-a");
        await using var trackerA = new PresenceTracker(a.PubSub);
        var tracking = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await trackerA.TrackAsync(Topic, $"user{i}", new { online_at = "1700000000", device = "browser" }));
        var trackedIn = tracking.Elapsed;

        // Let A gossip its delta to nobody first: B must then catch up the way a new node does, by a transfer.
        await Task.Delay(TimeSpan.FromSeconds(4));

        var joining = Stopwatch.StartNew();
        await using var b = await BenchNode.StartAsync(backend, prefix, "presence-b");
        await using var trackerB = new PresenceTracker(b.PubSub);
        var seen = 0;
        var deadline = TimeSpan.FromSeconds(120);
        while (joining.Elapsed < deadline)
        {
            seen = (await trackerB.ListAsync(Topic)).Count;
            if (seen == users)
            {
                break;
            }

            await Task.Delay(20);
        }

        var converged = joining.Elapsed;
        output.WriteLine(
            $"| {backend.Label}: presence convergence | {seen:N0} of {users:N0} | tracked on A in {trackedIn.TotalSeconds:0.00} s | "
            + (seen == users ? $"B saw all of them {converged.TotalSeconds:0.00} s after it started" : $"B saw only {seen:N0} after {deadline.TotalSeconds} s")
            + " | default gossip periods (1.5 s ticks, transfer after 2 clock samples) |");
    }
}
