using System.Text.Json.Nodes;

namespace Fenix.Tests.Model;

/// <summary>
/// A small reference model of Phoenix's socket and channel semantics (protocol.md §3–§4) for the model channel: what the
/// client must receive for each action, topic by topic, if it had waited for every answer. Channels run concurrently,
/// so only the order within a topic (and within the "phoenix" topic for heartbeats) is defined.
/// </summary>
public sealed class PhoenixModel
{
    /// <summary>Topic → the join_ref of the channel joined there.</summary>
    private readonly Dictionary<string, string> _joined;

    /// <summary>Topic → the frames expected so far, in order (see <see cref="Frame"/>).</summary>
    private readonly Dictionary<string, List<string>> _expected;

    public PhoenixModel()
        : this([], [])
    {
    }

    private PhoenixModel(Dictionary<string, string> joined, Dictionary<string, List<string>> expected)
    {
        _joined = joined;
        _expected = expected;
    }

    public IReadOnlyDictionary<string, List<string>> Expected => _expected;

    /// <summary>Topics with a joined channel, and their join_refs.</summary>
    public IReadOnlyDictionary<string, string> Joined => _joined;

    public PhoenixModel Clone() => new(new(_joined), _expected.ToDictionary(kv => kv.Key, kv => new List<string>(kv.Value)));

    /// <summary>A frame as the tests compare it: event, join_ref, ref and the payload's canonical JSON.</summary>
    public static string Frame(string @event, string? joinRef, string? @ref, string payloadJson) =>
        $"{@event} {joinRef ?? "null"} {@ref ?? "null"} {JsonNode.Parse(payloadJson)!.ToJsonString()}";

    public void Apply(ModelAction action)
    {
        switch (action)
        {
            case JoinAction join:
                ApplyJoin(join);
                break;
            case PushAction push:
                ApplyPush(push);
                break;
            case LeaveAction leave:
                ApplyLeave(leave);
                break;
            case HeartbeatAction heartbeat:
                Expect("phoenix", Reply(null, heartbeat.Ref, "ok", "{}"));
                break;
            case ServerBroadcastAction broadcast when _joined.ContainsKey(broadcast.Topic):
                Expect(broadcast.Topic, Frame("news", null, null, $"{{\"n\":{broadcast.N}}}"));
                break;
        }
    }

    /// <summary>True if <paramref name="received"/> holds exactly the expected frames of every topic (topics with none expected must have none).</summary>
    public bool Matches(IReadOnlyDictionary<string, List<string>> received, out string difference)
    {
        foreach (var topic in _expected.Keys.Union(received.Keys))
        {
            var expected = _expected.GetValueOrDefault(topic) ?? [];
            var actual = received.GetValueOrDefault(topic) ?? [];
            if (!expected.SequenceEqual(actual))
            {
                var common = expected.Zip(actual).TakeWhile(pair => pair.First == pair.Second).Count();
                difference = $"{topic}: first difference at frame {common}\n  expected: {string.Join(" | ", expected.Skip(common).Take(4))}\n  received: {string.Join(" | ", actual.Skip(common).Take(4))}";
                return false;
            }
        }

        difference = "";
        return true;
    }

    /// <summary>True if every topic's received frames are a prefix of the expected ones (the connection was cut).</summary>
    public bool IsPrefixOf(IReadOnlyDictionary<string, List<string>> received, out string difference)
    {
        foreach (var (topic, actual) in received)
        {
            var expected = _expected.GetValueOrDefault(topic) ?? [];
            if (actual.Count > expected.Count || !expected.Take(actual.Count).SequenceEqual(actual))
            {
                difference = $"{topic}:\n  expected: {string.Join(" | ", expected)}\n  received: {string.Join(" | ", actual)}";
                return false;
            }
        }

        difference = "";
        return true;
    }

    private void ApplyJoin(JoinAction join)
    {
        if (!join.Topic.StartsWith("model:", StringComparison.Ordinal))
        {
            Expect(join.Topic, Reply(null, join.Ref, "error", "{\"reason\":\"unmatched topic\"}"));
            return;
        }

        var previous = _joined.GetValueOrDefault(join.Topic);
        _joined.Remove(join.Topic);
        var (status, response) = join.Outcome switch
        {
            "ok" => ("ok", "{\"joined\":true}"),
            "refuse" => ("error", "{\"reason\":\"refused\"}"),
            _ => ("error", "{\"reason\":\"join crashed\"}"),
        };
        Expect(join.Topic, Reply(join.JoinRef, join.Ref, status, response));
        if (previous is not null)
        {
            Expect(join.Topic, Frame("phx_close", previous, previous, "{}")); // the replaced join, after the new reply
        }

        if (join.Outcome == "ok")
        {
            Expect(join.Topic, Frame("welcome", join.JoinRef, null, $"{{\"topic\":\"{join.Topic}\"}}")); // pushed in JoinAsync
            _joined[join.Topic] = join.JoinRef;
        }
    }

    private void ApplyPush(PushAction push)
    {
        if (!_joined.TryGetValue(push.Topic, out var joinRef))
        {
            Expect(push.Topic, Reply(null, push.Ref, "error", "{\"reason\":\"unmatched topic\"}"));
            return;
        }

        if (push.JoinRef is not null && push.JoinRef != joinRef)
        {
            return; // stale join_ref: dropped
        }

        var n = $"{{\"n\":{push.N}}}";
        switch (push.Event)
        {
            case "echo":
                Expect(push.Topic, Reply(joinRef, push.Ref, "ok", n));
                break;
            case "push":
                Expect(push.Topic, Frame("pushed", joinRef, null, n));
                break;
            case "boom":
                Expect(push.Topic, Frame("terminated", joinRef, null, "{\"reason\":\"crash\"}"));
                Expect(push.Topic, Frame("phx_error", joinRef, joinRef, "{\"reason\":\"channel_crash\"}"));
                _joined.Remove(push.Topic);
                break;
            case "stop":
                Expect(push.Topic, Reply(joinRef, push.Ref, "ok", n));
                Expect(push.Topic, Frame("phx_close", joinRef, joinRef, "{}"));
                Expect(push.Topic, Frame("terminated", joinRef, null, "{\"reason\":\"shutdown\"}"));
                _joined.Remove(push.Topic);
                break;
            case "bcast":
                Expect(push.Topic, Frame("shout", null, null, n));
                Expect(push.Topic, Reply(joinRef, push.Ref, "ok", n));
                break;
        }
    }

    private void ApplyLeave(LeaveAction leave)
    {
        if (!_joined.TryGetValue(leave.Topic, out var joinRef))
        {
            Expect(leave.Topic, Reply(leave.JoinRef, leave.Ref, "ok", "{}"));
            return;
        }

        if (leave.JoinRef is not null && leave.JoinRef != joinRef)
        {
            return;
        }

        Expect(leave.Topic, Reply(joinRef, leave.Ref, "ok", "{}"));
        Expect(leave.Topic, Frame("phx_close", joinRef, joinRef, "{}"));
        Expect(leave.Topic, Frame("terminated", joinRef, null, "{\"reason\":\"shutdown:left\"}"));
        _joined.Remove(leave.Topic);
    }

    private static string Reply(string? joinRef, string @ref, string status, string response) =>
        Frame("phx_reply", joinRef, @ref, $"{{\"status\":\"{status}\",\"response\":{response}}}");

    private void Expect(string topic, string frame)
    {
        if (!_expected.TryGetValue(topic, out var frames))
        {
            _expected[topic] = frames = [];
        }

        frames.Add(frame);
    }
}
