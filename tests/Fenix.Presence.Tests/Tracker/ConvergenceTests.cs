using Fenix.Presence.Tracker;
using Xunit;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>
/// Property runs: random writes on 2–3 replicas, gossip over a network that reorders, duplicates and drops
/// messages (and, in some scenarios, partitions nodes long enough for down/permdown, or restarts them). After
/// the network heals and transfers repair the gaps, every replica must show the same elements, namely those their
/// owners hold; throughout, every node's reported diffs must add up exactly to its state.
/// </summary>
public sealed class ConvergenceTests
{
    private const int Seeds = 150;

    private static readonly Dictionary<string, SimOptions> Scenarios = new()
    {
        ["two replicas, perfect network"] = new(Nodes: 2, Steps: 300, Loss: 0, Duplication: 0),
        ["two replicas, lossy network"] = new(Nodes: 2, Steps: 300, Loss: 0.2, Duplication: 0.1),
        ["three replicas, lossy network"] = new(Nodes: 3, Steps: 400, Loss: 0.2, Duplication: 0.1),
        ["three replicas, partitions"] = new(Nodes: 3, Steps: 600, Loss: 0.1, Duplication: 0.1, PartitionChance: 0.01),
        ["three replicas, restarts"] = new(Nodes: 3, Steps: 400, Loss: 0.1, Duplication: 0.1, RestartChance: 0.005),
        ["three replicas, everything"] = new(Nodes: 3, Steps: 600, Loss: 0.3, Duplication: 0.2, PartitionChance: 0.01, RestartChance: 0.003),
    };

    public static TheoryData<string> ScenarioNames => [.. Scenarios.Keys];

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Replicas_converge_to_the_elements_their_owners_hold(string scenario)
    {
        var options = Scenarios[scenario];
        var elementsSeen = 0;
        var downs = 0;
        var permdowns = 0;
        var transfers = 0;
        var remoteLeaves = 0;
        var restarts = 0;
        for (var seed = 0UL; seed < Seeds; seed++)
        {
            var cluster = new SimCluster(seed, options);
            RunSeed(scenario, seed, () =>
            {
                cluster.Run();
                cluster.Settle();
                AssertConverged(cluster);
            });

            elementsSeen += cluster.Nodes.Sum(n => n.OwnElements().Count());
            downs += cluster.Nodes.Sum(n => n.Stats.Downs);
            permdowns += cluster.Nodes.Sum(n => n.Stats.Permdowns);
            transfers += cluster.Nodes.Sum(n => n.Stats.TransfersMerged);
            remoteLeaves += cluster.Nodes.Sum(n => n.Stats.RemoteLeaves);
            restarts += cluster.Restarts;
        }

        // The runs must actually exercise what the scenario is about.
        Assert.True(elementsSeen > Seeds, $"{scenario}: too few elements ({elementsSeen})");
        Assert.True(remoteLeaves > 0, $"{scenario}: no remote leave was ever merged");
        if (options.Loss > 0)
        {
            Assert.True(transfers > 0, $"{scenario}: no transfer was ever merged during the runs");
        }

        if (options.PartitionChance > 0)
        {
            Assert.True(downs > 0 && permdowns > 0, $"{scenario}: downs {downs}, permdowns {permdowns}");
        }

        if (options.RestartChance > 0)
        {
            Assert.True(restarts > 0 && permdowns > 0, $"{scenario}: restarts {restarts}, permdowns {permdowns}");
        }
    }

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void A_downed_replicas_elements_and_only_those_disappear_everywhere(string scenario)
    {
        var options = Scenarios[scenario];
        for (var seed = 0UL; seed < Seeds / 3; seed++)
        {
            var cluster = new SimCluster(seed + 10_000, options);
            RunSeed(scenario, seed + 10_000, () =>
            {
                cluster.Run();
                cluster.Settle();
                var victim = cluster.Nodes[(int)(seed % (ulong)cluster.Nodes.Count)];
                var victimViews = victim.OwnElements().Views();
                foreach (var node in cluster.Nodes.Where(n => n != victim))
                {
                    var before = node.State.GetAll().Views();
                    var expected = before.Except(victimViews).ToHashSet();

                    var down = node.State.ReplicaDown(victim.Ref);
                    node.Report(down);
                    Assert.Empty(down.Joins);
                    Assert.Equal(victimViews, down.Leaves.Views());
                    Assert.Equal(expected, node.State.GetAll().Views());

                    var permdown = node.State.RemoveDownReplica(victim.Ref);
                    Assert.True(permdown.IsEmpty);
                    Assert.Equal(expected, node.State.GetAll().Views());
                    Assert.Equal(expected.Count, node.State.Count);
                    node.AssertClientViewMatchesState();

                    // Back from the dead: nothing is left to rejoin, a transfer from the victim restores it all.
                    Assert.True(node.State.ReplicaUp(victim.Ref).IsEmpty);
                    var restored = node.State.Merge(victim.State.Extract(node.State.Clocks()));
                    node.Report(restored);
                    Assert.Equal(victimViews, restored.Joins.Views());
                    Assert.Equal(before, node.State.GetAll().Views());
                }
            });
        }
    }

    private static void AssertConverged(SimCluster cluster)
    {
        var truth = cluster.Nodes.SelectMany(n => n.OwnElements()).Views();
        var currentRefs = cluster.Nodes.Select(n => n.Ref).ToHashSet();
        foreach (var node in cluster.Nodes)
        {
            var shown = node.State.GetAll().Views();
            Assert.True(
                truth.SetEquals(shown),
                $"{node.Ref} misses [{string.Join(", ", truth.Except(shown))}] and shows extra [{string.Join(", ", shown.Except(truth))}]");
            Assert.Equal(truth.Count, node.State.Count); // nothing hidden or stale left behind
            Assert.Equal(currentRefs, node.State.KnownReplicas.ToHashSet());
            node.AssertClientViewMatchesState();
            foreach (var peer in cluster.Nodes)
            {
                Assert.Equal(ReplicaStatus.Up, node.State.StatusOf(peer.Ref));
                Assert.Equal(peer.State.ClockOf(peer.Ref), node.State.ClockOf(peer.Ref));
                Assert.Empty(node.State.CloudOf(peer.Ref));
            }
        }
    }

    private static void RunSeed(string scenario, ulong seed, Action run)
    {
        try
        {
            run();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{scenario}, seed {seed}: {e.Message}", e);
        }
    }
}
