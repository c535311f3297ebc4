using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.IntegrationTests.Pipelining;

/// <summary>
/// Long-poll POSTs of one session that overlap (a client that does not wait for the previous answer): each POST's
/// frames are dispatched whole, one POST after the other, so one topic's frames are answered in the order of some
/// serialization of the POSTs; racing joins of one topic never leave a channel subscribed or tracked after the session.
/// </summary>
public sealed class OverlappingPostTests(FixtureServer server) : IClassFixture<FixtureServer>
{
    private const int JoinsPerPost = 40;

    [Fact]
    public async Task Overlapping_posts_of_racing_joins_are_answered_in_order_and_leave_no_channel_behind()
    {
        for (var round = 0; round < 8; round++)
        {
            var topic = $"presence:overlap-{round}";
            using var client = new LongPollTestClient(server.BaseUri, "/ws", query: $"user_id=overlap-{round}");
            Assert.Equal(410, (await client.OpenAsync()).Status);
            var a = Enumerable.Range(0, JoinsPerPost).Select(i => $"a{i}").ToList();
            var b = Enumerable.Range(0, JoinsPerPost).Select(i => $"b{i}").ToList();
            var posts = await Task.WhenAll(client.PostAsync(a.Select(r => Join(topic, r))), client.PostAsync(b.Select(r => Join(topic, r))));
            Assert.All(posts, post => Assert.Equal(200, post.Status));

            var expected = Expected(topic, a.Concat(b));
            var received = new List<string>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (received.Count < expected.Count && DateTime.UtcNow < deadline)
            {
                var response = await client.GetAsync();
                received.AddRange(response.Messages.Where(m => m.Event is "phx_reply" or "phx_close").Select(Summarize));
            }

            Assert.True(
                received.SequenceEqual(expected) || received.SequenceEqual(Expected(topic, b.Concat(a))),
                $"round {round}: the answers are not those of POST a then b, nor b then a: {string.Join(" | ", received)}");

            server.Broadcaster.Disconnect($"user_sockets:overlap-{round}");
            await AssertNothingLeftAsync(topic);
        }
    }

    /// <summary>Each join replies ok; every join after the first also closes the one before it, right after its reply.</summary>
    private static List<string> Expected(string topic, IEnumerable<string> joinRefs)
    {
        var expected = new List<string>();
        string? previous = null;
        foreach (var joinRef in joinRefs)
        {
            expected.Add($"reply {joinRef} ok {topic}");
            if (previous is not null)
            {
                expected.Add($"close {previous} {topic}");
            }

            previous = joinRef;
        }

        return expected;
    }

    /// <summary>Once the session ended, nothing of it stays subscribed or present (both settle asynchronously: poll until then).</summary>
    private async Task AssertNothingLeftAsync(string topic)
    {
        var pubSub = server.Services.GetRequiredService<Fenix.PubSub.FenixPubSub>();
        var presence = server.Services.GetRequiredService<IPresence>();
        var deadline = DateTime.UtcNow + Patience.Default;
        while (true)
        {
            var subscribers = pubSub.SubscriberCount(topic);
            var present = (await presence.ListAsync(topic)).Count;
            if (subscribers == 0 && present == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{topic}: {subscribers} subscribers and {present} presences left after the session ended");
            await Task.Delay(50);
        }
    }

    private static string Join(string topic, string joinRef) =>
        new JsonArray(joinRef, joinRef, topic, "phx_join", new JsonObject { ["name"] = joinRef }).ToJsonString();

    private static string Summarize(ClientMessage m) =>
        m.Event == "phx_reply" ? $"reply {m.Ref} {m.Status} {m.Topic}" : $"close {m.JoinRef} {m.Topic}";
}
