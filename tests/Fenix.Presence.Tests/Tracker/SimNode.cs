using Fenix.Presence.Tracker;
using Xunit;
using static Fenix.Presence.Tests.Tracker.Fixtures;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>
/// One simulated node: a tracker state and registry driven like the shard drives them, plus the presence list a
/// client of this node would hold if it applied every reported diff (<see cref="ClientView"/>).
/// </summary>
internal sealed class SimNode
{
    private const int OwnersPerNode = 4;

    private readonly string[] _topics;
    private readonly string[] _keys;
    private int _refSeq;
    private int _ticks;

    public SimNode(string name, long vsn, string[] topics, string[] keys)
    {
        Name = name;
        _topics = topics;
        _keys = keys;
        Restart(vsn);
    }

    public string Name { get; }

    public ReplicaRef Ref { get; private set; }

    public TrackerState State { get; private set; } = null!;

    public ReplicaRegistry Registry { get; private set; } = null!;

    /// <summary>Dot → element, built only from the diffs this node reported (what its clients see).</summary>
    public Dictionary<Dot, TrackerElement> ClientView { get; } = [];

    /// <summary>What the run exercised on this node (kept across restarts), so tests can prove coverage.</summary>
    public SimStats Stats { get; } = new();

    /// <summary>Clocks sampled from heartbeats since the last transfer decision.</summary>
    public IReadOnlyList<ReplicaClock> PendingClockset { get; set; } = [];

    /// <summary>A crash and restart: a new incarnation with empty state; its clients start over.</summary>
    public void Restart(long vsn)
    {
        Ref = new ReplicaRef(Name, vsn);
        State = new TrackerState(Ref);
        Registry = new ReplicaRegistry(Ref);
        ClientView.Clear();
        PendingClockset = [];
    }

    /// <summary>Elements this node writes: the ground truth the cluster must converge to.</summary>
    public IEnumerable<TrackerElement> OwnElements() => State.GetAll().Where(e => e.Replica == Ref);

    /// <summary>A random local join, leave, owner exit or update.</summary>
    public void RandomLocalOp(TestRandom random)
    {
        var owner = $"{Name}/{random.Next(OwnersPerNode)}";
        var topic = random.Pick(_topics);
        var key = random.Pick(_keys);
        var choice = random.Next(10);
        if (choice < 5)
        {
            if (!State.Contains(owner, topic, key))
            {
                var joined = State.Join(owner, topic, key, Meta(NextRef()));
                Report(new TrackerDiff([joined], []));
            }
        }
        else if (choice < 7)
        {
            var own = State.GetByOwner(owner);
            if (own.Count > 0)
            {
                var victim = random.Pick(own);
                var left = State.Leave(owner, victim.Topic, victim.Key);
                Assert.Same(victim, left);
                Report(new TrackerDiff([], [left!]));
            }
        }
        else if (choice < 8)
        {
            Report(new TrackerDiff([], State.LeaveOwner(owner)));
        }
        else
        {
            var own = State.GetByOwner(owner);
            if (own.Count > 0)
            {
                var target = random.Pick(own);
                var update = State.LeaveJoin(owner, target.Topic, target.Key, Meta(NextRef(), ("prev", target.PhxRef())));
                Assert.NotNull(update);
                Report(new TrackerDiff([update.Value.Joined], [update.Value.Left]));
            }
        }
    }

    /// <summary>
    /// The gossip tick: the delta (or an empty heartbeat), every other tick a transfer decision from the sampled
    /// clocks, then failure detection. Returns the messages to send.
    /// </summary>
    public List<SimMessage> Tick(long nowMs, IReadOnlyList<string> peers, TimeSpan downPeriod, TimeSpan permdownPeriod)
    {
        var outgoing = new List<SimMessage>();
        var delta = State.HasDelta ? State.TakeDelta() : null;
        var clocks = State.Clocks();
        foreach (var peer in peers)
        {
            outgoing.Add(new SimMessage.Heartbeat(peer, Ref, delta, clocks));
        }

        if (++_ticks % 2 == 0)
        {
            foreach (var replica in Clock.ReplicasToSync(PendingClockset, State.Clocks()))
            {
                outgoing.Add(new SimMessage.TransferRequest(replica.Name, Ref, State.Clocks()));
            }

            PendingClockset = [];
        }

        ApplyTransitions(Registry.DetectFailures(nowMs, downPeriod, permdownPeriod));
        return outgoing;
    }

    /// <summary>Handles one delivered message; returns a reply to send, if any.</summary>
    public SimMessage? Receive(SimMessage message, long nowMs)
    {
        switch (message)
        {
            case SimMessage.Heartbeat heartbeat:
                ApplyTransitions(Registry.OnHeartbeat(heartbeat.From, nowMs));
                if (heartbeat.Delta is not null)
                {
                    var diff = State.Merge(heartbeat.Delta);
                    Stats.RemoteLeaves += diff.Leaves.Count;
                    Report(diff);
                }

                PendingClockset = Clock.AppendClock(PendingClockset, heartbeat.Clocks);
                return null;
            case SimMessage.TransferRequest request:
                return new SimMessage.TransferAck(request.From.Name, Ref, State.Extract(request.Clocks));
            case SimMessage.TransferAck ack:
                Stats.TransfersMerged++;
                Report(State.Merge(ack.Extract));
                return null;
            default:
                throw new InvalidOperationException($"Unexpected {message}.");
        }
    }

    public void ApplyTransitions(IReadOnlyList<ReplicaTransition> transitions)
    {
        foreach (var transition in transitions)
        {
            Stats.Count(transition.Kind);
            Report(transition.Kind switch
            {
                ReplicaTransitionKind.Up => State.ReplicaUp(transition.Replica),
                ReplicaTransitionKind.Down => State.ReplicaDown(transition.Replica),
                _ => State.RemoveDownReplica(transition.Replica),
            });
        }
    }

    /// <summary>Applies a diff to the client view; a duplicate join or a leave of something unseen is a bug.</summary>
    public void Report(TrackerDiff diff)
    {
        foreach (var left in diff.Leaves)
        {
            Assert.True(ClientView.Remove(left.Dot), $"{Ref} reported a leave of {left} its clients never saw joining.");
        }

        foreach (var joined in diff.Joins)
        {
            Assert.True(ClientView.TryAdd(joined.Dot, joined), $"{Ref} reported {joined} joining twice.");
        }
    }

    /// <summary>The reported diffs must add up exactly to what the state shows.</summary>
    public void AssertClientViewMatchesState()
    {
        var visible = State.GetAll();
        Assert.Equal(visible.Count, ClientView.Count);
        foreach (var element in visible)
        {
            Assert.True(ClientView.TryGetValue(element.Dot, out var seen), $"{Ref} shows {element} but never reported it.");
            Assert.Same(element, seen);
        }
    }

    /// <summary>Counters of what happened on a node.</summary>
    internal sealed class SimStats
    {
        public int Downs { get; set; }

        public int Permdowns { get; set; }

        public int TransfersMerged { get; set; }

        public int RemoteLeaves { get; set; }

        public void Count(ReplicaTransitionKind kind)
        {
            if (kind == ReplicaTransitionKind.Down)
            {
                Downs++;
            }
            else if (kind == ReplicaTransitionKind.Permdown)
            {
                Permdowns++;
            }
        }
    }

    private string NextRef() => $"{Ref}#{++_refSeq}";
}
