using System.Text.Json.Nodes;

namespace Fenix.Tests.Model;

/// <summary>One thing a client does on its socket, as the model test generates it.</summary>
public abstract record ModelAction
{
    /// <summary>The V2 JSON frame the client sends, or null for actions that are not client frames.</summary>
    public abstract string? Frame { get; }

    protected static string V2(string? joinRef, string @ref, string topic, string @event, JsonObject payload) =>
        new JsonArray(joinRef, @ref, topic, @event, payload).ToJsonString();
}

/// <summary><c>phx_join</c>; the model channel joins ok, refuses, or crashes in its join as <paramref name="Outcome"/> says.</summary>
public sealed record JoinAction(string Topic, string JoinRef, string Ref, string Outcome) : ModelAction
{
    public override string Frame => V2(JoinRef, Ref, Topic, "phx_join", new JsonObject { ["outcome"] = Outcome });
}

/// <summary>A client event: echo, push, noreply, boom (crash), stop, bcast (a broadcast from the channel).</summary>
public sealed record PushAction(string Topic, string? JoinRef, string Ref, string Event, int N) : ModelAction
{
    public override string Frame => V2(JoinRef, Ref, Topic, Event, new JsonObject { ["n"] = N });
}

public sealed record LeaveAction(string Topic, string? JoinRef, string Ref) : ModelAction
{
    public override string Frame => V2(JoinRef, Ref, Topic, "phx_leave", []);
}

public sealed record HeartbeatAction(string Ref) : ModelAction
{
    public override string Frame => V2(null, Ref, "phoenix", "heartbeat", []);
}

/// <summary>A broadcast made on the server (<c>IFenixBroadcaster</c>) while the client waits (a sync point).</summary>
public sealed record ServerBroadcastAction(string Topic, int N) : ModelAction
{
    public override string? Frame => null;
}

/// <summary>
/// Generates a client's actions the way a real client behaves: it joins and rejoins topics, and pushes with the
/// join_ref of its latest join (or a stale one, another topic's, or none), without waiting for answers.
/// </summary>
public sealed class ModelActionGenerator
{
    private readonly Random _random;
    private readonly Dictionary<string, List<string>> _joinRefs = [];
    private int _ref;
    private int _n;

    public ModelActionGenerator(int seed, string run, int routedTopics = 4)
    {
        _random = new Random(seed);
        Routed = [.. Enumerable.Range(0, routedTopics).Select(i => $"model:{run}:{i}")];
        Unrouted = $"nowhere:{run}";
    }

    public IReadOnlyList<string> Routed { get; }

    public string Unrouted { get; }

    public IEnumerable<string> Topics => [.. Routed, Unrouted];

    public Random Random => _random;

    public ModelAction Next()
    {
        var roll = _random.Next(100);
        return roll switch
        {
            < 22 => Join(),
            < 70 => Push(),
            < 85 => Leave(),
            _ => new HeartbeatAction(NextRef()),
        };
    }

    /// <summary>A server broadcast on a random routed topic (for sync points).</summary>
    public ServerBroadcastAction ServerBroadcast() => new(Routed[_random.Next(Routed.Count)], ++_n);

    /// <summary>Frames whose answers prove everything sent before on each topic was answered: an echo with no join_ref per topic, and a heartbeat.</summary>
    public List<ModelAction> Barrier() =>
        [.. Topics.Select(topic => (ModelAction)new PushAction(topic, null, NextRef(), "echo", ++_n)), new HeartbeatAction(NextRef())];

    private JoinAction Join()
    {
        var topic = Topic();
        var joinRef = NextRef();
        if (!_joinRefs.TryGetValue(topic, out var refs))
        {
            _joinRefs[topic] = refs = [];
        }

        refs.Add(joinRef);
        var outcome = _random.Next(100) switch { < 75 => "ok", < 90 => "refuse", _ => "crash" };
        return new JoinAction(topic, joinRef, joinRef, outcome);
    }

    private PushAction Push()
    {
        var @event = _random.Next(100) switch
        {
            < 30 => "echo",
            < 48 => "push",
            < 56 => "noreply",
            < 63 => "boom",
            < 71 => "stop",
            _ => "bcast",
        };
        var topic = Topic();
        return new PushAction(topic, JoinRefFor(topic), NextRef(), @event, ++_n);
    }

    private LeaveAction Leave()
    {
        var topic = Topic();
        return new LeaveAction(topic, JoinRefFor(topic), NextRef());
    }

    private string Topic() => _random.Next(10) == 0 ? Unrouted : Routed[_random.Next(Routed.Count)];

    /// <summary>Mostly the latest join_ref sent for the topic; sometimes none, a stale one, or another topic's.</summary>
    private string? JoinRefFor(string topic)
    {
        var own = _joinRefs.GetValueOrDefault(topic);
        var roll = _random.Next(100);
        if (roll < 12)
        {
            return null;
        }

        if (roll < 22 && own is { Count: > 1 })
        {
            return own[_random.Next(own.Count - 1)];
        }

        if (roll < 30)
        {
            var others = _joinRefs.Where(kv => kv.Key != topic).SelectMany(kv => kv.Value).ToList();
            if (others.Count > 0)
            {
                return others[_random.Next(others.Count)];
            }
        }

        return own is { Count: > 0 } ? own[^1] : null;
    }

    private string NextRef() => (++_ref).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
