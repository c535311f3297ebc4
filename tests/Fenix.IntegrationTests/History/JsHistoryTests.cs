using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Js = Fenix.IntegrationTests.Infrastructure.JsClient;

namespace Fenix.IntegrationTests.History;

/// <summary>
/// The official phoenix.js client under Node with Fenix's fenix-history.mjs (src/js): a client that drops its
/// connection gets exactly the messages it missed, once each, in order, before live ones, over WebSocket and long poll.
/// </summary>
public sealed class JsHistoryTests(HistoryServer server) : IClassFixture<HistoryServer>
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("longpoll")]
    public async Task A_client_that_reconnects_gets_exactly_the_missed_messages_once_in_order(string transport)
    {
        var topic = $"history:drop-{transport}";
        await using var js = await Js.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws", new { user = "ann" }, new { transport });
        var room = await Channel(js, socket, topic);
        var first = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == room, "first join");
        Assert.True(first["first"]!.GetValue<bool>());
        Assert.True(first["enabled"]!.GetValue<bool>());
        Assert.False(first["recovered"]!.GetValue<bool>());
        var epoch = Js.Str(first, "position")!.Split(':')[0];
        Assert.Equal($"{epoch}:0", Js.Str(first, "position")); // a new topic: before its first message

        for (var i = 1; i <= 3; i++)
        {
            server.Broadcaster.Broadcast(topic, "said", new { n = i });
        }

        var three = await js.WaitForMessageAsync(room, "said", e => N(e) == 3);
        Assert.Equal($"{epoch}:3", Js.Str(three, "position"));

        await js.SendAsync(new { cmd = "disconnect", socket });
        await js.WaitForAsync(e => Js.Type(e) == "disconnected" && Js.Str(e, "socket") == socket, "disconnected");
        for (var i = 4; i <= 6; i++)
        {
            server.Broadcaster.Broadcast(topic, "said", new { n = i }); // missed while away
        }

        await js.SendAsync(new { cmd = "reconnect", socket });
        var again = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == room, "rejoin");
        Assert.False(again["first"]!.GetValue<bool>());
        Assert.True(again["recovered"]!.GetValue<bool>(), again.ToJsonString());
        Assert.Equal(3, again["replayed"]!.GetValue<int>());

        server.Broadcaster.Broadcast(topic, "said", new { n = 7 }); // live, after the rejoin
        await js.WaitForMessageAsync(room, "said", e => N(e) == 7); // the barrier: everything before it has arrived

        var said = js.Events.Where(e => Js.Type(e) == "message" && Js.Str(e, "channel") == room && Js.Str(e, "event") == "said").ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], said.Select(N));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"{epoch}:{i}"), said.Select(e => Js.Str(e, "ref")));
        Assert.All(said, e => Assert.True(e["isPosition"]!.GetValue<bool>()));
        var joins = js.Events.Where(e => Js.Type(e) == "history_join").ToList();
        var rejoinIndex = js.Events.ToList().IndexOf(joins[^1]);
        var fourIndex = js.Events.ToList().FindIndex(e => Js.Type(e) == "message" && Js.Str(e, "event") == "said" && N(e) == 4);
        Assert.True(rejoinIndex < fourIndex, "the replay comes after the join reply");
    }

    [Fact]
    public async Task A_page_reloaded_with_a_stored_position_recovers_and_a_new_page_gets_the_last_messages()
    {
        const string topic = "history:reload";
        await using var js = await Js.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var room = await Channel(js, socket, topic);
        var joined = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == room, "join");
        var epoch = Js.Str(joined, "position")!.Split(':')[0];
        for (var i = 1; i <= 5; i++)
        {
            server.Broadcaster.Broadcast(topic, "said", new { n = i });
        }

        await js.WaitForMessageAsync(room, "said", e => N(e) == 5);

        // Another page that kept the position of message 2 (e.g. in sessionStorage) and one that asks for the last 2.
        var resumed = await Channel(js, socket, topic, new { since = $"{epoch}:2" });
        var resumedJoin = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == resumed, "resumed join");
        Assert.True(resumedJoin["recovered"]!.GetValue<bool>());
        await js.WaitForMessageAsync(resumed, "said", e => N(e) == 5);
        Assert.Equal([3, 4, 5], Said(js, resumed));

        await using var other = await Js.StartAsync();
        var otherSocket = await other.ConnectOpenAsync(server.BaseUri, "/ws");
        var fresh = await Channel(other, otherSocket, topic, new { last = 2 });
        var freshJoin = await other.WaitForAsync(e => Js.Type(e) == "history_join", "fresh join");
        Assert.False(freshJoin["recovered"]!.GetValue<bool>());
        Assert.Equal(2, freshJoin["replayed"]!.GetValue<int>());
        await other.WaitForMessageAsync(fresh, "said", e => N(e) == 5);
        Assert.Equal([4, 5], Said(other, fresh));
    }

    [Fact]
    public async Task Replayed_intercepted_events_go_through_HandleOut_so_nothing_leaks()
    {
        const string topic = "secret:notes";
        await using var js = await Js.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws", new { user = "bob" });
        var notes = await Channel(js, socket, topic);
        await js.WaitForAsync(e => Js.Type(e) == "history_join", "join");
        server.Broadcaster.Broadcast(topic, "note", new { to = "all", text = "one" });
        await js.WaitForMessageAsync(notes, "note", e => Text(e) == "one");

        await js.SendAsync(new { cmd = "disconnect", socket });
        await js.WaitForAsync(e => Js.Type(e) == "disconnected", "disconnected");
        server.Broadcaster.Broadcast(topic, "note", new { to = "carol", text = "not for bob" });
        server.Broadcaster.Broadcast(topic, "note", new { to = "bob", text = "for bob" });
        await js.SendAsync(new { cmd = "reconnect", socket });
        var again = await js.WaitForAsync(e => Js.Type(e) == "history_join" && !e["first"]!.GetValue<bool>(), "rejoin");
        Assert.True(again["recovered"]!.GetValue<bool>());
        Assert.Equal(2, again["replayed"]!.GetValue<int>()); // both replayed to the channel; HandleOut decides what bob sees

        server.Broadcaster.Broadcast(topic, "note", new { to = "all", text = "live" });
        await js.WaitForMessageAsync(notes, "note", e => Text(e) == "live");
        var seen = js.Events.Where(e => Js.Type(e) == "message" && Js.Str(e, "event") == "note").ToList();
        Assert.Equal(["one", "for bob", "live"], seen.Select(Text));
        Assert.All(seen, e => Assert.Equal("bob", e["payload"]!["seen_by"]!.GetValue<string>()));
        Assert.Equal([1L, 3L, 4L], seen.Select(e => long.Parse(Js.Str(e, "ref")!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_topic_without_history_joins_as_before_and_says_so()
    {
        await using var js = await Js.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var room = await Channel(js, socket, "plain:room", new { last = 10 });
        var joined = await js.WaitForAsync(e => Js.Type(e) == "history_join", "join");
        Assert.False(joined["enabled"]!.GetValue<bool>());
        server.Broadcaster.Broadcast("plain:room", "said", new { n = 1 });
        var message = await js.WaitForMessageAsync(room, "said");
        Assert.Null(Js.Str(message, "ref")); // Phoenix's broadcast frame, unchanged
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_node_that_misses_a_broadcast_fills_the_hole_from_the_store_or_makes_its_clients_rejoin_and_recover(bool lostFromStore)
    {
        var topic = $"history:hole-{lostFromStore}";
        await using var js = await Js.StartAsync();
        var socket = await js.ConnectOpenAsync(server.BaseUri, "/ws");
        var room = await Channel(js, socket, topic);
        await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == room, "join");
        server.Broadcaster.Broadcast(topic, "said", new { n = 1 });
        var epoch = Js.Str(await js.WaitForMessageAsync(room, "said", e => N(e) == 1), "ref")!.Split(':')[0];

        // Another node stored 2 and 3 (the one ordering point), but only 3's broadcast reached this node, as after a
        // broker outage. The node waits the reorder window, then reads 2 from the store. If the store no longer has it
        // (here: kept only the last message), the node tells the topic's channels: phx_error, and their clients rejoin
        // and recover from their position.
        var store = server.Services.GetRequiredService<Fenix.AspNetCore.History.HistoryService>().Store;
        var limits = new Fenix.PubSub.History.HistoryLimits(lostFromStore ? 1 : 100, TimeSpan.FromMinutes(5));
        var two = Fenix.AspNetCore.History.HistoryService.Encode(new Broadcast(topic, "said", Payload.From(new { n = 2 })));
        var three = new Broadcast(topic, "said", Payload.From(new { n = 3 }));
        Assert.Equal(2, (await store.AppendAsync(topic, two, limits, newEpoch: false)).Offset);
        var position = await store.AppendAsync(topic, Fenix.AspNetCore.History.HistoryService.Encode(three), limits, newEpoch: false);
        server.Services.GetRequiredService<Fenix.PubSub.FenixPubSub>().Broadcast(topic, new Fenix.AspNetCore.Broadcasting.BroadcastMessage(three, position));

        if (lostFromStore)
        {
            // Nothing after the hole reaches the client first (3 would move its position past the hole): it rejoins
            // from 1, and since 2 is gone it is told "not recovered" — never given 3 as if nothing were missing.
            await js.WaitForAsync(e => Js.Type(e) == "channel_error" && Js.Str(e, "channel") == room, "phx_error for the gap");
            var rejoin = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == room && !e["first"]!.GetValue<bool>(), "the rejoin");
            Assert.False(rejoin["recovered"]!.GetValue<bool>(), rejoin.ToJsonString());
            Assert.Equal("expired", Js.Str(rejoin, "reason"));
            Assert.Equal($"{epoch}:3", Js.Str(rejoin, "position"));
            Assert.Contains(server.Logs.Entries, entry => entry.EventId.Id == 7003); // the gap, logged
        }

        server.Broadcaster.Broadcast(topic, "said", new { n = 4 });
        await js.WaitForMessageAsync(room, "said", e => N(e) == 4);
        var said = Said(js, room);
        Assert.Equal(lostFromStore ? [1, 4] : [1, 2, 3, 4], said);
        if (!lostFromStore)
        {
            Assert.DoesNotContain(js.Events, e => Js.Type(e) == "channel_error"); // filled from the store: nobody was disturbed
        }
    }

    private static async Task<string> Channel(Js js, string socket, string topic, object? opts = null)
    {
        var id = $"h{Guid.NewGuid():N}"[..10];
        await js.SendAsync(new { cmd = "history", id, socket, topic, @params = new { }, opts = opts ?? new { } });
        await js.SendAsync(new { cmd = "join", channel = id });
        return id;
    }

    private static int N(JsonObject e) => e["payload"]!["n"]!.GetValue<int>();

    private static string Text(JsonObject e) => e["payload"]!["text"]!.GetValue<string>();

    private static List<int> Said(Js js, string channel) =>
        [.. js.Events.Where(e => Js.Type(e) == "message" && Js.Str(e, "channel") == channel && Js.Str(e, "event") == "said").Select(N)];
}
