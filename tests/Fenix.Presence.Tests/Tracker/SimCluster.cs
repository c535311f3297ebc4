using Xunit;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>Knobs of one simulated run.</summary>
internal sealed record SimOptions(
    int Nodes,
    int Steps,
    double Loss,
    double Duplication,
    double PartitionChance = 0,
    double RestartChance = 0);

/// <summary>
/// A cluster of <see cref="SimNode"/>s over an adversarial network that reorders, duplicates and drops messages,
/// with optional partitions (long enough to trigger down and permdown) and node restarts. Every step checks that
/// each node's reported diffs match its state; <see cref="Settle"/> then heals everything and repairs with
/// transfers so that convergence can be asserted.
/// </summary>
internal sealed class SimCluster
{
    public static readonly TimeSpan DownPeriod = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan PermdownPeriod = TimeSpan.FromSeconds(12);
    private const long StepMs = 100;

    private readonly TestRandom _random;
    private readonly SimOptions _options;
    private readonly List<SimMessage> _inFlight = [];
    private readonly HashSet<string> _isolated = [];
    private long _nowMs;
    private long _nextVsn = 1;

    public SimCluster(ulong seed, SimOptions options)
    {
        _random = new TestRandom(seed);
        _options = options;
        string[] topics = ["t0", "t1", "t2"];
        string[] keys = ["k0", "k1", "k2", "k3", "k4"];
        Nodes = [.. Enumerable.Range(0, options.Nodes).Select(i => new SimNode($"n{i}", _nextVsn++, topics, keys))];
    }

    public IReadOnlyList<SimNode> Nodes { get; }

    /// <summary>Number of node restarts during the run.</summary>
    public int Restarts { get; private set; }

    /// <summary>Runs the random phase.</summary>
    public void Run()
    {
        for (var step = 0; step < _options.Steps; step++)
        {
            _nowMs += StepMs;
            if (_random.Chance(_options.PartitionChance))
            {
                // Isolate a node, or heal it if it already is.
                var node = _random.Pick(Nodes);
                if (!_isolated.Remove(node.Name))
                {
                    _isolated.Add(node.Name);
                }
            }

            if (_random.Chance(_options.RestartChance))
            {
                _random.Pick(Nodes).Restart(_nextVsn++);
                Restarts++;
            }

            var roll = _random.Next(100);
            if (roll < 35)
            {
                _random.Pick(Nodes).RandomLocalOp(_random);
            }
            else if (roll < 55)
            {
                var node = _random.Pick(Nodes);
                Send(node.Tick(_nowMs, PeersOf(node), DownPeriod, PermdownPeriod), reliable: false);
            }
            else
            {
                DeliverOne(reliable: false);
            }

            foreach (var node in Nodes)
            {
                node.AssertClientViewMatchesState();
            }
        }
    }

    /// <summary>
    /// Heals the network, lets every stale message land, then repairs as the protocol would: everyone broadcasts
    /// its delta and a heartbeat, and asks every peer for a transfer.
    /// </summary>
    public void Settle()
    {
        _isolated.Clear();
        for (var guard = 0; _inFlight.Count > 0; guard++)
        {
            Assert.True(guard < 100_000, "the network did not drain");
            DeliverOne(reliable: true);
        }

        _nowMs += StepMs;
        foreach (var node in Nodes)
        {
            var delta = node.State.HasDelta ? node.State.TakeDelta() : null;
            foreach (var peer in Nodes.Where(p => p != node))
            {
                peer.Receive(new SimMessage.Heartbeat(peer.Name, node.Ref, delta, node.State.Clocks()), _nowMs);
            }
        }

        foreach (var requester in Nodes)
        {
            foreach (var responder in Nodes.Where(p => p != requester))
            {
                var ack = responder.Receive(new SimMessage.TransferRequest(responder.Name, requester.Ref, requester.State.Clocks()), _nowMs);
                requester.Receive(ack!, _nowMs);
            }
        }

        foreach (var node in Nodes)
        {
            node.AssertClientViewMatchesState();
        }
    }

    private List<string> PeersOf(SimNode node) => [.. Nodes.Where(n => n != node).Select(n => n.Name)];

    private void Send(IEnumerable<SimMessage> messages, bool reliable)
    {
        foreach (var message in messages)
        {
            if (!reliable && (_isolated.Contains(message.To) || _isolated.Contains(message.Sender)))
            {
                continue;
            }

            _inFlight.Add(message);
        }
    }

    /// <summary>Delivers a random in-flight message (reordering); unreliable delivery may drop or duplicate it.</summary>
    private void DeliverOne(bool reliable)
    {
        if (_inFlight.Count == 0)
        {
            return;
        }

        var index = _random.Next(_inFlight.Count);
        var message = _inFlight[index];
        var duplicate = !reliable && _random.Chance(_options.Duplication);
        if (!duplicate)
        {
            _inFlight[index] = _inFlight[^1];
            _inFlight.RemoveAt(_inFlight.Count - 1);
        }

        if (!reliable && (_random.Chance(_options.Loss) || _isolated.Contains(message.To)))
        {
            return;
        }

        var receiver = Nodes.Single(n => n.Name == message.To);
        var reply = receiver.Receive(message, _nowMs);
        if (reply is not null)
        {
            Send([reply], reliable);
        }
    }
}
