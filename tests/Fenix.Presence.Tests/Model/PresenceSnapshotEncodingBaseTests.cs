using System.Text.Encodings.Web;
using System.Text.Json;
using Fenix.Presence.Tracker;
using Xunit;

namespace Fenix.Presence.Tests.Model;

/// <summary>
/// Snapshots that extend the topic's previous encoding (a room filling at once) encode to exactly the bytes of a
/// snapshot encoded from scratch, whatever happened in between; and no snapshot keeps a chain of older ones alive.
/// </summary>
public sealed class PresenceSnapshotEncodingBaseTests
{
    private const string Topic = "rooms:1";
    private static readonly ReplicaRef Self = new("n", 1);

    public static TheoryData<ulong, string> Runs => new()
    {
        { 1UL, "web" }, { 2UL, "relaxed" }, { 3UL, "default" }, { 4UL, "web" }, { 5UL, "web" }, { 6UL, "relaxed" },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Every_encoding_equals_one_made_from_scratch(ulong seed, string settings)
    {
        var random = new Tracker.TestRandom(seed);
        var options = Options(settings);
        var state = new TrackerState(Self);
        var tracked = new List<(string Owner, string Key)>();
        PresenceSnapshot? previous = null;
        var extended = 0;

        for (var step = 0; step < 600; step++)
        {
            // Mostly joins of new keys (a room filling), sometimes a second meta under a listed key, a leave or an update.
            var roll = random.Next(100);
            if (roll < 70 || tracked.Count == 0)
            {
                var key = random.Chance(0.1) ? $"Zoë <&> \u2028 {step}" : $"u{step}";
                Track($"o{step}", key, step);
            }
            else if (roll < 80)
            {
                Track($"o{step}", random.Pick(tracked).Key, step);
            }
            else if (roll < 90)
            {
                var (owner, key) = random.Pick(tracked);
                state.Leave(owner, Topic, key);
                tracked.Remove((owner, key));
            }
            else
            {
                var (owner, key) = random.Pick(tracked);
                state.LeaveJoin(owner, Topic, key, Meta(step));
            }

            var snapshot = PresenceSnapshot.After(previous, Topic, state.Get(Topic));
            var reusable = snapshot.EncodingBase;
            Assert.True(reusable is null || (reusable.IsEncoded && reusable.EncodingBase is null), "a base must be encoded and hold no base of its own");

            // Readers do not always encode every snapshot before the next is taken.
            if (random.Chance(0.7))
            {
                var expected = new PresenceSnapshot(Topic, snapshot.Elements).Encode(options);
                var actual = snapshot.Encode(options);
                Assert.Equal(System.Text.Encoding.UTF8.GetString(expected.Span), System.Text.Encoding.UTF8.GetString(actual.Span));
                Assert.Null(snapshot.EncodingBase);
                if (reusable is not null && actual.Span.StartsWith(reusable.Encode(options).Span[..^1]))
                {
                    extended++;
                }
            }

            previous = snapshot;
        }

        Assert.True(extended > 100, $"only {extended} encodings extended their base");

        void Track(string owner, string key, int step)
        {
            state.Join(owner, Topic, key, Meta(step));
            tracked.Add((owner, key));
        }
    }

    [Fact]
    public void A_new_meta_under_a_key_the_base_lists_is_encoded_from_scratch()
    {
        var alice = Element("alice", 1);
        var bob = Element("bob", 2);
        var options = Options("web");
        var first = new PresenceSnapshot(Topic, [alice, bob]);
        _ = first.Encode(options);

        var second = PresenceSnapshot.After(first, Topic, [alice, bob, Element("carol", 3), Element("alice", 4)]);

        Assert.Same(first, second.EncodingBase);
        Assert.Equal(
            """{"alice":{"metas":[{"n":1},{"n":4}]},"bob":{"metas":[{"n":2}]},"carol":{"metas":[{"n":3}]}}""",
            System.Text.Encoding.UTF8.GetString(second.Encode(options).Span));
    }

    [Fact]
    public void The_same_elements_share_the_base_encoding_and_other_settings_encode_anew()
    {
        var elements = new[] { Element("alice", 1), Element("bob", 2) };
        var web = Options("web");
        var first = new PresenceSnapshot(Topic, elements);
        var encoded = first.Encode(web);

        var second = PresenceSnapshot.After(first, Topic, elements);

        Assert.True(encoded.Span == second.Encode(web).Span, "the unchanged room was encoded again");
        Assert.Equal(
            System.Text.Encoding.UTF8.GetString(new PresenceSnapshot(Topic, elements).Encode(Options("relaxed")).Span),
            System.Text.Encoding.UTF8.GetString(PresenceSnapshot.After(first, Topic, elements).Encode(Options("relaxed")).Span));
    }

    [Fact]
    public void A_snapshot_not_yet_encoded_passes_on_its_own_base_so_no_chain_forms()
    {
        var options = Options("web");
        var s0 = new PresenceSnapshot(Topic, [Element("a", 1)]);
        _ = s0.Encode(options);
        var s1 = PresenceSnapshot.After(s0, Topic, [Element("a", 1), Element("b", 2)]);
        var s2 = PresenceSnapshot.After(s1, Topic, [Element("a", 1), Element("b", 2), Element("c", 3)]);
        var s3 = PresenceSnapshot.After(s2, Topic, []);

        Assert.Same(s0, s1.EncodingBase);
        Assert.Same(s0, s2.EncodingBase); // s1 was never encoded
        Assert.Same(s0, s3.EncodingBase);
        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(s3.Encode(options).Span));
    }

    private static TrackerElement Element(string key, long clock) =>
        new(Topic, $"o/{key}/{clock}", key, JsonDocument.Parse($$"""{"n":{{clock}}}""").RootElement.Clone(), new Dot(Self, clock));

    private static JsonElement Meta(int step) => JsonDocument.Parse($$"""{"step":{{step}},"note":"naïve \"x\""}""").RootElement.Clone();

    private static JsonSerializerOptions Options(string settings) => settings switch
    {
        "web" => new JsonSerializerOptions(JsonSerializerDefaults.Web),
        "relaxed" => new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
        _ => new JsonSerializerOptions(),
    };
}
