using System.Text.Json;
using Xunit;

namespace Fenix.Presence.Tests.Model;

/// <summary>The JSON shapes of §7.2, whatever naming policy the application uses.</summary>
public sealed class PresenceJsonTests
{
    private static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web);

    [Fact]
    public void A_presence_map_serializes_to_the_presence_state_shape_without_renaming_keys()
    {
        var map = new PresenceMap();
        map.Add("Alice", Meta("""{"online_at":"1700000000","phx_ref":"R1"}"""));
        map.Add("bob", Meta("""{"device":"phone","phx_ref":"R2"}"""));
        map.Add("bob", Meta("""{"device":"laptop","phx_ref":"R3","phx_ref_prev":"R0"}"""));
        map["bob"].SetExtra("User", new { DisplayName = "Bob" });

        Assert.Equal(
            """{"Alice":{"metas":[{"online_at":"1700000000","phx_ref":"R1"}]},"bob":{"metas":[{"device":"phone","phx_ref":"R2"},{"device":"laptop","phx_ref":"R3","phx_ref_prev":"R0"}],"User":{"displayName":"Bob"}}}""",
            JsonSerializer.Serialize(map, CamelCase));
    }

    [Fact]
    public void A_diff_always_has_both_joins_and_leaves()
    {
        var joins = new PresenceMap();
        joins.Add("carol", Meta("""{"phx_ref":"R4"}"""));

        Assert.Equal(
            """{"joins":{"carol":{"metas":[{"phx_ref":"R4"}]}},"leaves":{}}""",
            JsonSerializer.Serialize(new PresenceDiff("room:1", joins, new PresenceMap()), CamelCase));
        Assert.Equal("""{"joins":{},"leaves":{}}""", JsonSerializer.Serialize(new PresenceDiff("t", new PresenceMap(), new PresenceMap())));
    }

    [Fact]
    public void Maps_and_diffs_read_back_from_json()
    {
        const string json = """{"joins":{"a":{"metas":[{"phx_ref":"1"}],"user":{"n":1}}},"leaves":{"b":{"metas":[{"phx_ref":"2"},{"phx_ref":"3"}]}}}""";

        var diff = JsonSerializer.Deserialize<PresenceDiff>(json)!;

        Assert.Equal(json, JsonSerializer.Serialize(diff));
        Assert.Equal(2, diff.Leaves["b"].Metas.Count);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PresenceMap>("""{"a":{"nometas":[]}}"""));
    }

    private static JsonElement Meta(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
