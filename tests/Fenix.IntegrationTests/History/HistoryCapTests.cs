using System.Globalization;
using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;
using Js = Fenix.IntegrationTests.Infrastructure.JsClient;

namespace Fenix.IntegrationTests.History;

/// <summary>
/// The per-recovery caps over the wire (<see cref="CappedHistoryServer"/>: 5 messages, 2 KiB): a recovery beyond one is
/// all or nothing — "not recovered" with the cap's reason, nothing replayed, and the channel goes on live.
/// </summary>
public sealed class HistoryCapTests(CappedHistoryServer server) : IClassFixture<CappedHistoryServer>
{
    /// <summary>The reason, how many messages go out while the client is away, their padding, and how many of them one recovery may replay.</summary>
    public static TheoryData<string, int, int, int> OverTheCap => new()
    {
        { "too_many", CappedHistoryServer.MaxMessages + 1, 10, CappedHistoryServer.MaxMessages },
        { "too_large", 3, 900, 2 }, // 3 × ~930 bytes > 2 KiB ≥ 2 × ~930 bytes
    };

    [Theory]
    [MemberData(nameof(OverTheCap))]
    public async Task A_recovery_over_a_cap_is_not_recovered_replays_nothing_and_the_channel_goes_on(string reason, int missed, int padding, int fits)
    {
        var topic = $"history:cap-{reason}";
        await using var listener = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        var (_, listenRef) = await listener.JoinAsync(topic, new { fenix_history = new { } });
        var since = Position((await listener.AssertReplyAsync(listenRef)).Payload!["history"]!["position"]!);
        for (var i = 1; i <= missed; i++)
        {
            server.Broadcaster.Broadcast(topic, "said", new { n = i, pad = new string('x', padding) });
        }

        var top = (await ReceiveSaidAsync(listener, topic, missed)).Ref!; // stored: the listener saw them all live
        Assert.Equal($"{since.Epoch}:{since.Offset + missed}", top);

        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        var (joinRef, @ref) = await client.JoinAsync(topic, new { fenix_history = new { since = since.Text } });
        var history = (await client.AssertReplyAsync(@ref)).Payload!["history"]!;
        Assert.False(history["recovered"]!.GetValue<bool>());
        Assert.Equal(reason, history["reason"]!.GetValue<string>());
        Assert.Equal(0, history["replayed"]!.GetValue<int>());
        Assert.Equal(top, history["position"]!.GetValue<string>()); // live messages follow it

        var ping = await client.SendAsync(topic, "ping", new { }, joinRef);
        await client.RefuteBeforeReplyAsync(m => m.Event == "said", ping); // nothing replayed before the ping's answer

        // Just within the cap, a recovery replays all of what was missed.
        await using var within = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0");
        var (_, withinRef) = await within.JoinAsync(topic, new { fenix_history = new { since = $"{since.Epoch}:{since.Offset + missed - fits}" } });
        var recovered = (await within.AssertReplyAsync(withinRef)).Payload!["history"]!;
        Assert.True(recovered["recovered"]!.GetValue<bool>(), recovered.ToJsonString());
        Assert.Equal(fits, recovered["replayed"]!.GetValue<int>());
        Assert.Equal(top, (await ReceiveSaidAsync(within, topic, fits)).Ref);

        server.Broadcaster.Broadcast(topic, "said", new { n = missed + 1 });
        var live = await client.AssertEventAsync("said", topic);
        Assert.Equal(missed + 1, live.Payload!["n"]!.GetValue<int>()); // the first "said" it gets is the live one
        Assert.Equal($"{since.Epoch}:{since.Offset + missed + 1}", live.Ref);
        Assert.Equal(live.Ref, (await within.AssertEventAsync("said", topic)).Ref);
    }

    [Fact]
    public async Task A_phoenix_js_client_away_for_too_many_messages_is_told_to_reload_and_gets_only_live_messages()
    {
        const string topic = "history:cap-js";
        await using var js = await Js.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws", new { user = "ann" });
        var room = $"h{Guid.NewGuid():N}"[..10];
        await js.SendAsync(new { cmd = "history", id = room, socket, topic, @params = new { }, opts = new { } });
        await js.SendAsync(new { cmd = "join", channel = room });
        await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == room, "first join");
        server.Broadcaster.Broadcast(topic, "said", new { n = 0 });
        await js.WaitForMessageAsync(room, "said", e => N(e) == 0);

        await js.SendAsync(new { cmd = "disconnect", socket });
        await js.WaitForAsync(e => Js.Type(e) == "disconnected" && Js.Str(e, "socket") == socket, "disconnected");
        for (var i = 1; i <= CappedHistoryServer.MaxMessages + 1; i++)
        {
            server.Broadcaster.Broadcast(topic, "said", new { n = i });
        }

        await js.SendAsync(new { cmd = "reconnect", socket });
        var rejoin = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == room && !e["first"]!.GetValue<bool>(), "rejoin");
        Assert.False(rejoin["recovered"]!.GetValue<bool>());
        Assert.Equal("too_many", Js.Str(rejoin, "reason"));
        server.Broadcaster.Broadcast(topic, "said", new { n = 99 });
        var live = await js.WaitForMessageAsync(room, "said", e => N(e) != 0);
        Assert.Equal(99, N(live)); // nothing of 1–6 came before it
        var top = Js.Str(rejoin, "position")!.Split(':');
        Assert.Equal($"{top[0]}:{CappedHistoryServer.MaxMessages + 2}", Js.Str(rejoin, "position")); // 0, then 1–6 missed
        Assert.Equal($"{top[0]}:{CappedHistoryServer.MaxMessages + 3}", Js.Str(live, "ref"));
    }

    private static async Task<ClientMessage> ReceiveSaidAsync(PhoenixTestClient client, string topic, int count)
    {
        ClientMessage? last = null;
        for (var i = 0; i < count; i++)
        {
            last = await client.AssertEventAsync("said", topic);
        }

        return last!;
    }

    private static (string Text, string Epoch, long Offset) Position(JsonNode node)
    {
        var text = node.GetValue<string>();
        var parts = text.Split(':');
        return (text, parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static int N(JsonObject e) => e["payload"]!["n"]!.GetValue<int>();
}
