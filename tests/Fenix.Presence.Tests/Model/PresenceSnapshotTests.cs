using System.Text.Encodings.Web;
using System.Text.Json;
using Fenix.Presence.Tests.Support;
using Fenix.Presence.Tracker;
using Fenix.PubSub;
using Xunit;

namespace Fenix.Presence.Tests.Model;

/// <summary>
/// Shared <c>presence_state</c> snapshots: maps over one snapshot read and serialize exactly like maps built on their
/// own, are encoded once, and stay independent of each other once a caller touches their entries.
/// </summary>
public sealed class PresenceSnapshotTests
{
    private static readonly ReplicaRef Self = new("n", 1);

    private static readonly IReadOnlyList<TrackerElement> Elements =
    [
        Element("alice", 1, """{"online_at":"1700000000","phx_ref":"R1"}"""),
        Element("bob", 2, """{"device":"phone","phx_ref":"R2"}"""),
        Element("Zoë <&>", 3, """{"note":"naïve \u2028 'quoted' \"x\"","phx_ref":"R3"}"""),
        Element("bob", 4, """{"device":"laptop","phx_ref":"R4","phx_ref_prev":"R0"}"""),
    ];

    public static TheoryData<string> Settings => ["web", "relaxed", "default"];

    [Theory]
    [MemberData(nameof(Settings))]
    public void A_view_serializes_exactly_like_a_map_built_on_its_own(string settings)
    {
        var options = Options(settings);
        var snapshot = new PresenceSnapshot("rooms:1", Elements);

        var expected = JsonSerializer.Serialize(PresenceMap.From(Elements), options);

        // Metas are copied as their JSON text, so escapes may differ from a re-write with these settings; values may not.
        AssertSameJson(expected, JsonSerializer.Serialize(new PresenceMap(snapshot), options));
        AssertSameJson(expected, JsonSerializer.Serialize(new PresenceMap(snapshot), options)); // from the cached encoding
        AssertSameJson(expected, JsonSerializer.Serialize(new { state = new PresenceMap(snapshot) }, options)[9..^1]); // nested in a payload
        Assert.StartsWith(
            """{"alice":{"metas":[{"online_at":"1700000000","phx_ref":"R1"}]},"bob":{"metas":[{"device":"phone","phx_ref":"R2"},{"device":"laptop","phx_ref":"R4","phx_ref_prev":"R0"}]},""",
            JsonSerializer.Serialize(new PresenceMap(snapshot), options),
            StringComparison.Ordinal);
        var indented = new JsonSerializerOptions(options) { WriteIndented = true };
        Assert.Equal(JsonSerializer.Serialize(PresenceMap.From(Elements), indented), JsonSerializer.Serialize(new PresenceMap(snapshot), indented));
    }

    [Fact]
    public void Views_share_one_encoding_per_settings()
    {
        var snapshot = new PresenceSnapshot("rooms:1", Elements);
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        var first = snapshot.Encode(web);
        var second = new PresenceMap(snapshot).SharedJson(web)!.Value;

        Assert.True(first.Span == second.Span, "the second reader got a new encoding");
        AssertSameJson(JsonSerializer.Serialize(PresenceMap.From(Elements), Options("relaxed")), System.Text.Encoding.UTF8.GetString(snapshot.Encode(Options("relaxed")).Span));
    }

    [Fact]
    public void Reading_a_view_behaves_like_a_dictionary_keyed_in_first_seen_order()
    {
        var view = new PresenceMap(new PresenceSnapshot("rooms:1", Elements));

        Assert.Equal(3, view.Count);
        Assert.Equal(["alice", "bob", "Zoë <&>"], view.Keys);
        Assert.True(view.ContainsKey("bob"));
        Assert.False(view.ContainsKey("carol"));
        Assert.Equal(["R2", "R4"], view["bob"].Metas.Select(m => m.GetProperty("phx_ref").GetString()));
        Assert.True(view.TryGetValue("alice", out var alice));
        Assert.Single(alice.Metas);
        Assert.Equal(3, view.Values.Count());
        Assert.Equal(view.Keys, view.Select(kv => kv.Key));
    }

    [Fact]
    public void Extras_set_on_one_view_stay_in_that_view()
    {
        var snapshot = new PresenceSnapshot("rooms:1", Elements);
        var fetched = new PresenceMap(snapshot);
        var plain = new PresenceMap(snapshot);
        _ = JsonSerializer.Serialize(plain); // the shared encoding exists before the extras are set

        fetched["bob"].SetExtra("user", new { name = "Bob" });

        Assert.Contains("\"user\":{\"name\":\"Bob\"}", JsonSerializer.Serialize(fetched), StringComparison.Ordinal);
        Assert.DoesNotContain("\"user\"", JsonSerializer.Serialize(plain), StringComparison.Ordinal);
        Assert.DoesNotContain("\"user\"", JsonSerializer.Serialize(new PresenceMap(snapshot)), StringComparison.Ordinal);
        Assert.Empty(new PresenceMap(snapshot)["bob"].Extras);
        Assert.Null(fetched.SharedJson(JsonSerializerOptions.Web));
    }

    [Fact]
    public async Task Readers_racing_on_a_new_snapshot_all_get_the_same_encoding()
    {
        var snapshot = new PresenceSnapshot("rooms:1", [.. Enumerable.Range(0, 2_000).Select(i => Element($"u{i}", i + 1, $$"""{"phx_ref":"R{{i}}"}"""))]);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        var encodings = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => JsonSerializer.Serialize(new PresenceMap(snapshot), options))));

        Assert.Single(encodings.Distinct(StringComparer.Ordinal));
        AssertSameJson(JsonSerializer.Serialize(PresenceMap.From(snapshot.Elements), options), encodings[0]);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public async Task Concurrent_reads_and_tracks_each_see_every_track_that_finished_before_the_read_began(ulong seed)
    {
        var random = new Tracker.TestRandom(seed);
        await using var presence = new PresenceTracker(new FenixPubSub(), new PresenceOptions(), new RecordingPublisher());
        var finished = new List<string>();
        var reads = new List<(Task<PresenceMap> Read, string[] FinishedBefore)>();
        var tracks = new List<Task>();

        for (var i = 0; i < 400; i++)
        {
            if (random.Chance(0.5))
            {
                var key = $"u{i}";
                tracks.Add(presence.TrackAsync(presence.CreateOwner($"o{i}", CancellationToken.None), "rooms:1", key, new { i })
                    .ContinueWith(_ => { lock (finished) { finished.Add(key); } }, TaskScheduler.Default));
            }
            else
            {
                string[] before;
                lock (finished)
                {
                    before = [.. finished];
                }

                reads.Add((presence.ListAsync("rooms:1"), before));
            }

            if (random.Chance(0.1))
            {
                await Task.Yield();
            }
        }

        await Task.WhenAll(tracks);
        foreach (var (read, before) in reads)
        {
            var map = await read;
            Assert.All(before, key => Assert.True(map.ContainsKey(key), $"{key} finished before the read but is missing"));
            var shared = JsonSerializer.Serialize(map); // the snapshot's encoding, shared with the reads served with it
            var own = PresenceMap.From(map.SelectMany(kv => kv.Value.Metas.Select(m => Element(kv.Key, 1, m.GetRawText()))));
            AssertSameJson(JsonSerializer.Serialize(own), shared);
        }

        Assert.Equal(tracks.Count, (await presence.ListAsync("rooms:1")).Count);
    }

    private static void AssertSameJson(string expected, string actual)
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        Assert.True(JsonElement.DeepEquals(e.RootElement, a.RootElement), $"expected {expected}, got {actual}");
        Assert.Equal(
            e.RootElement.EnumerateObject().Select(p => p.Name),
            a.RootElement.EnumerateObject().Select(p => p.Name)); // same key order too
    }

    private static JsonSerializerOptions Options(string settings) => settings switch
    {
        "web" => new JsonSerializerOptions(JsonSerializerDefaults.Web),
        "relaxed" => new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
        _ => new JsonSerializerOptions(),
    };

    private static TrackerElement Element(string key, long clock, string meta) =>
        new("rooms:1", $"o/{key}", key, JsonDocument.Parse(meta).RootElement.Clone(), new Dot(Self, clock));
}
