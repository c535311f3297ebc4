using System.Text.Json.Nodes;

namespace Fenix.Client.Tests;

/// <summary>The pure presence algorithm against the payloads of protocol.md §7.2 and the edge cases of §7.5.</summary>
public sealed class PresenceSyncTests
{
    private const string StatePayload = """
        {"alice": {"metas":[{"online_at":"1700000000","phx_ref":"F8Qz1k6v2w8AAABi"}]},
         "bob":   {"metas":[{"device":"phone","phx_ref":"F8Qz2Aaa9w8AAAAT"},
                            {"device":"laptop","phx_ref":"F8Qz2Bbb9w8AAAAU","phx_ref_prev":"F8Qz1zzz9w8AAAAS"}]}}
        """;

    private const string DiffPayload = """
        {"joins":  {"carol":{"metas":[{"online_at":"1700000100","phx_ref":"F8Qz3Ccc9w8AAAAV"}]}},
         "leaves": {"bob":  {"metas":[{"device":"phone","phx_ref":"F8Qz2Aaa9w8AAAAT"}]}}}
        """;

    private readonly List<string> _events = [];

    [Fact]
    public void A_first_state_joins_every_key()
    {
        var state = PresenceSync.SyncState(new PresenceState(), PresenceState.Parse(StatePayload), OnJoin, OnLeave);

        Assert.Equal(["join alice (new) +F8Qz1k6v2w8AAABi", "join bob (new) +F8Qz2Aaa9w8AAAAT,F8Qz2Bbb9w8AAAAU"], _events);
        Assert.Equal(["alice", "bob"], state.Keys);
        Assert.Equal("F8Qz1zzz9w8AAAAS", (string?)PresenceState.MetasOf(state["bob"])[1]!["phx_ref_prev"]);
    }

    [Fact]
    public void The_spec_diff_adds_carol_and_removes_bobs_phone()
    {
        var state = PresenceState.Parse(StatePayload);
        state = PresenceSync.SyncDiff(state, PresenceDiff.Parse(DiffPayload), OnJoin, OnLeave);

        Assert.Equal(["join carol (new) +F8Qz3Ccc9w8AAAAV", "leave bob -F8Qz2Aaa9w8AAAAT remaining F8Qz2Bbb9w8AAAAU"], _events);
        Assert.Equal(["alice", "bob", "carol"], state.Keys);
        Assert.Equal(["F8Qz2Bbb9w8AAAAU"], Refs(state["bob"]));
    }

    [Fact]
    public void An_update_diff_replaces_the_meta_in_one_step()
    {
        var state = PresenceState.Parse("""{"alice":{"metas":[{"status":"online","phx_ref":"OLD"}]}}""");
        var update = PresenceDiff.Parse("""
            {"joins": {"alice":{"metas":[{"status":"away","phx_ref":"NEW","phx_ref_prev":"OLD"}]}},
             "leaves":{"alice":{"metas":[{"status":"online","phx_ref":"OLD"}]}}}
            """);

        state = PresenceSync.SyncDiff(state, update, OnJoin, OnLeave);

        Assert.Equal(["join alice (had OLD) +NEW", "leave alice -OLD remaining NEW"], _events);
        Assert.Equal(["NEW"], Refs(state["alice"]));
        Assert.Equal("away", (string?)PresenceState.MetasOf(state["alice"])[0]!["status"]);
    }

    [Fact]
    public void A_re_announced_ref_is_not_duplicated_and_new_metas_go_last()
    {
        var state = PresenceState.Parse("""{"u":{"metas":[{"phx_ref":"R1","v":1},{"phx_ref":"R2"}]}}""");
        var diff = PresenceDiff.Parse("""{"joins":{"u":{"metas":[{"phx_ref":"R1","v":2},{"phx_ref":"R3"}]}},"leaves":{}}""");

        state = PresenceSync.SyncDiff(state, diff);

        Assert.Equal(["R2", "R1", "R3"], Refs(state["u"]));
        Assert.Equal(2, (int?)PresenceState.MetasOf(state["u"])[1]!["v"]);
    }

    [Fact]
    public void Leaves_for_unknown_keys_are_ignored_silently()
    {
        var state = PresenceState.Parse("""{"a":{"metas":[{"phx_ref":"1"}]}}""");
        var diff = PresenceDiff.Parse("""{"joins":{},"leaves":{"ghost":{"metas":[{"phx_ref":"9"}]}}}""");

        state = PresenceSync.SyncDiff(state, diff, OnJoin, OnLeave);

        Assert.Empty(_events);
        Assert.Equal(["a"], state.Keys);
    }

    [Fact]
    public void The_last_meta_leaving_removes_the_key_after_the_callback()
    {
        var state = PresenceState.Parse("""{"a":{"metas":[{"phx_ref":"1"}]}}""");
        state = PresenceSync.SyncDiff(state, PresenceDiff.Parse("""{"joins":{},"leaves":{"a":{"metas":[{"phx_ref":"1"}]}}}"""), OnJoin, OnLeave);

        Assert.Equal(["leave a -1 remaining "], _events);
        Assert.Empty(state);
    }

    [Fact]
    public void Fetch_extras_are_replaced_by_those_of_the_joined_presence()
    {
        var state = PresenceState.Parse("""{"carol":{"metas":[{"phx_ref":"R3"}],"user":{"name":"Carol"},"old":true}}""");
        var diff = PresenceDiff.Parse("""{"joins":{"carol":{"metas":[{"phx_ref":"R4"}],"user":{"name":"Caroline"}}},"leaves":{}}""");

        state = PresenceSync.SyncDiff(state, diff);

        Assert.Equal("Caroline", (string?)state["carol"]["user"]!["name"]);
        Assert.False(state["carol"].ContainsKey("old"));
        Assert.Equal(["R3", "R4"], Refs(state["carol"]));
    }

    [Fact]
    public void A_new_state_leaves_vanished_keys_and_swaps_changed_metas()
    {
        var current = PresenceState.Parse("""{"a":{"metas":[{"phx_ref":"1"},{"phx_ref":"2"}]},"gone":{"metas":[{"phx_ref":"3"}]}}""");
        var incoming = PresenceState.Parse("""{"a":{"metas":[{"phx_ref":"2"},{"phx_ref":"4"}]},"new":{"metas":[{"phx_ref":"5"}]}}""");
        var before = (current.ToString(), incoming.ToString());

        var state = PresenceSync.SyncState(current, incoming, OnJoin, OnLeave);

        Assert.Equal(
            ["join a (had 1,2) +4", "join new (new) +5", "leave gone -3 remaining ", "leave a -1 remaining 2,4"],
            _events);
        Assert.Equal(["a", "new"], state.Keys);
        Assert.Equal(["2", "4"], Refs(state["a"]));
        Assert.Equal(before, (current.ToString(), incoming.ToString()));
    }

    [Fact]
    public void The_same_state_again_changes_nothing()
    {
        var state = PresenceSync.SyncState(PresenceState.Parse(StatePayload), PresenceState.Parse(StatePayload), OnJoin, OnLeave);
        Assert.Empty(_events);
        Assert.Equal(PresenceState.Parse(StatePayload).ToString(), state.ToString());
    }

    [Fact]
    public void Sync_diff_does_not_modify_the_diff()
    {
        var diff = PresenceDiff.Parse(DiffPayload);
        var joins = diff.Joins.ToString();
        PresenceSync.SyncDiff(PresenceState.Parse(StatePayload), diff, (_, _, joined) => joined["metas"] = new JsonArray());
        Assert.Equal(joins, diff.Joins.ToString());
    }

    [Fact]
    public void Keys_enumerate_in_javascript_property_order()
    {
        var state = PresenceState.Parse("""{"b":{"metas":[]},"10":{"metas":[]},"a":{"metas":[]},"2":{"metas":[]},"02":{"metas":[]}}""");
        Assert.Equal(["2", "10", "b", "a", "02"], state.Keys);
        Assert.Equal(["2", "10", "b", "a", "02"], PresenceSync.List(state, (key, _) => key));
    }

    [Fact]
    public void A_presence_without_metas_reads_as_empty()
    {
        var state = PresenceState.Parse("""{"x":{"user":1},"y":3}""");
        Assert.Equal(["x"], state.Keys);
        Assert.Empty(PresenceState.MetasOf(state["x"]));
    }

    private void OnJoin(string key, JsonObject? current, JsonObject joined) =>
        _events.Add($"join {key} ({(current is null ? "new" : "had " + string.Join(',', Refs(current)))}) +{string.Join(',', Refs(joined))}");

    private void OnLeave(string key, JsonObject current, JsonObject left) =>
        _events.Add($"leave {key} -{string.Join(',', Refs(left))} remaining {string.Join(',', Refs(current))}");

    private static string[] Refs(JsonObject presence) => [.. PresenceState.MetasOf(presence).Select(meta => PresenceSync.RefOf(meta) ?? "(none)")];
}
