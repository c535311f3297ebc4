using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.History;

/// <summary>
/// Bad recovery requests in raw frames: a clear "not recovered" with a reason (nothing replayed), the channel keeps
/// working, and the server keeps serving everyone else.
/// </summary>
public sealed class HistoryBadInputTests(HistoryServer server) : IClassFixture<HistoryServer>
{
    public static TheoryData<string, object, string> BadRequests => new()
    {
        { "a future offset", new { since = "{epoch}:999" }, "future" },
        { "a foreign epoch", new { since = "zzzzzzzzz0000:1" }, "epoch" },
        { "a malformed position", new { since = "1; DROP TABLE" }, "invalid" },
        { "a bare ref as position", new { since = "12" }, "invalid" },
        { "an absurd limit", new { last = 1_000_000_000 }, "invalid" },
        { "a negative limit", new { last = -5 }, "invalid" },
        { "not an object", "everything", "invalid" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_is_answered_not_recovered_and_the_channel_keeps_working(string what, object request, string reason)
    {
        var topic = $"history:bad-{reason}-{what.Length}";
        server.Broadcaster.Broadcast(topic, "said", new { n = 1 }); // the stream exists; its epoch is the one in the position
        server.Broadcaster.Broadcast(topic, "said", new { n = 2 });
        await using var probe = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        var (_, probeRef) = await probe.JoinAsync(topic, new { fenix_history = new { last = 1 } });
        var probeReply = await probe.AssertReplyAsync(probeRef);
        var epoch = probeReply.Payload!["history"]!["position"]!.GetValue<string>().Split(':')[0];
        Assert.Equal($"{epoch}:2", (await probe.AssertEventAsync("said", topic)).Ref); // its last message, replayed

        var json = System.Text.Json.JsonSerializer.Serialize(request).Replace("{epoch}", epoch, StringComparison.Ordinal);
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        var (joinRef, @ref) = await client.JoinAsync(topic, new { fenix_history = System.Text.Json.Nodes.JsonNode.Parse(json) });
        var reply = await client.AssertReplyAsync(@ref);
        var history = reply.Payload!["history"]!;
        Assert.False(history["recovered"]!.GetValue<bool>(), what);
        Assert.Equal(reason, history["reason"]!.GetValue<string>());
        Assert.Equal(0, history["replayed"]!.GetValue<int>());
        Assert.Equal($"{epoch}:2", history["position"]!.GetValue<string>()); // where the stream stands: live messages follow it

        var ping = await client.SendAsync(topic, "ping", new { }, joinRef);
        await client.RefuteBeforeReplyAsync(m => m.Event == "said", ping); // nothing replayed
        server.Broadcaster.Broadcast(topic, "said", new { n = 3 });
        var live = await client.AssertEventAsync("said", topic);
        Assert.Equal($"{epoch}:3", live.Ref);
        Assert.Equal($"{epoch}:3", (await probe.AssertEventAsync("said", topic)).Ref); // everyone else too
    }

    [Fact]
    public async Task A_recovery_request_on_a_topic_without_history_is_ignored_and_its_frames_are_phoenixs()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        var (joinRef, @ref) = await client.JoinAsync("plain:bad", new { fenix_history = new { since = "zzzzzzzzz0000:1", last = 5 } });
        var reply = await client.AssertReplyAsync(@ref);
        Assert.Null(reply.Payload!["history"]);
        server.Broadcaster.Broadcast("plain:bad", "said", new { n = 1 });
        var said = await client.AssertEventAsync("said");
        Assert.Null(said.Ref);
        Assert.Null(said.JoinRef);
        await client.AssertReplyAsync(await client.SendAsync("plain:bad", "ping", new { }, joinRef));
    }

    [Fact]
    public async Task A_refused_join_recovers_nothing()
    {
        const string topic = "history:refusing";
        server.Broadcaster.Broadcast(topic, "said", new { n = 1 });
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        var (_, @ref) = await client.JoinAsync(topic, new { refuse = "yes", fenix_history = new { last = 10 } });
        var reply = await client.AssertReplyAsync(@ref, "error");
        Assert.Null(reply.Payload!["history"]);
        var (_, again) = await client.JoinAsync("plain:after-refusal");
        await client.RefuteBeforeReplyAsync(m => m.Event == "said", again); // no replay reached the client after the refusal
    }
}
