using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.Pipelining;

/// <summary>
/// Joins, leaves and pushes sent back to back on one socket, without waiting for answers, against a real Kestrel
/// with raw frames: every frame is answered in order, exactly as if the client had waited for each answer.
/// </summary>
public sealed class PipelinedJoinTests(FixtureServer server) : IClassFixture<FixtureServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Five_hundred_pipelined_joins_with_repeated_joins_of_one_topic_are_all_answered_in_order()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        const string same = "room:same";
        var expected = new List<string>();
        string? previousJoinRef = null;
        for (var i = 0; i < 500; i++)
        {
            if (i % 2 == 0)
            {
                var (joinRef, @ref) = await client.JoinAsync(same);
                expected.Add($"reply {@ref} {joinRef} ok {same}");
                if (previousJoinRef is not null)
                {
                    expected.Add($"close {previousJoinRef} {same}");
                }

                previousJoinRef = joinRef;
            }
            else if (i % 4 == 1)
            {
                var topic = $"nowhere:{i}";
                var (_, @ref) = await client.JoinAsync(topic);
                expected.Add($"reply {@ref} null error {topic}");
            }
            else
            {
                var topic = $"custom:refused-{i}";
                var (joinRef, @ref) = await client.JoinAsync(topic, new { action = "ignore" });
                expected.Add($"reply {@ref} {joinRef} error {topic}");
            }
        }

        // The topic is still usable: a push on it is answered, then a leave closes it.
        var ping = await client.SendAsync(same, "ping", new { n = 1 }, previousJoinRef);
        expected.Add($"reply {ping} {previousJoinRef} ok {same}");
        var leave = await client.SendAsync(same, "phx_leave", new { }, previousJoinRef);
        expected.Add($"reply {leave} {previousJoinRef} ok {same}");
        expected.Add($"close {previousJoinRef} {same}");

        await AssertPerTopicAsync(client, expected);
    }

    [Fact]
    public async Task A_thousand_join_leave_pairs_back_to_back_are_all_answered_in_order()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        const string topic = "custom:cycles";
        var expected = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var (joinRef, join) = await client.JoinAsync(topic);
            var leave = await client.SendAsync(topic, "phx_leave", new { }, joinRef);
            expected.Add($"reply {join} {joinRef} ok {topic}");
            expected.Add($"reply {leave} {joinRef} ok {topic}");
            expected.Add($"close {joinRef} {topic}");
        }

        await AssertPerTopicAsync(client, expected);
    }

    /// <summary>
    /// Reads as many frames as expected (ignoring the room channel's own after-join and terminate pushes) and compares
    /// them topic by topic: channels run concurrently, so only the order within a topic is defined (protocol.md §4.1).
    /// </summary>
    private static async Task AssertPerTopicAsync(PhoenixTestClient client, List<string> expected)
    {
        var received = await ReceiveAsync(client, expected.Count);
        var expectedByTopic = expected.ToLookup(TopicOf);
        var receivedByTopic = received.ToLookup(TopicOf);
        foreach (var topic in expectedByTopic.Select(g => g.Key))
        {
            Assert.Equal(expectedByTopic[topic], receivedByTopic[topic]);
        }

        Assert.Equal(expected.Count, received.Count);
    }

    private static string TopicOf(string summary) => summary[(summary.LastIndexOf(' ') + 1)..];

    /// <summary>Reads <paramref name="count"/> frames as one-line summaries; fails with what came if they do not all come.</summary>
    private static async Task<List<string>> ReceiveAsync(PhoenixTestClient client, int count)
    {
        var received = new List<string>();
        var deadline = DateTime.UtcNow + Patience;
        while (received.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            var message = left > TimeSpan.Zero ? await client.TryReceiveAsync(m => m.Event is not ("joined" or "user_entered" or "you_left"), left) : null;
            if (message is null)
            {
                Assert.Fail($"Only {received.Count} of {count} frames arrived; the last ones: {string.Join(" | ", received.TakeLast(6))}");
            }

            received.Add(Summarize(message));
        }

        return received;
    }

    private static string Summarize(ClientMessage m) => m.Event switch
    {
        "phx_reply" => $"reply {m.Ref} {m.JoinRef ?? "null"} {m.Status} {m.Topic}",
        "phx_close" => $"close {m.JoinRef} {m.Topic}",
        _ => $"{m.Event} {m.JoinRef ?? "null"} {m.Ref ?? "null"} {m.Payload?.ToJsonString()} {m.Topic}",
    };
}
