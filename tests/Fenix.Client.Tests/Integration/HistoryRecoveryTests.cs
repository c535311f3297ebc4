using System.Collections.Concurrent;
using Fenix.Client.Tests.Support;
using Fenix.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix.Client.Tests.Integration;

/// <summary>A channel created with <see cref="ChannelHistoryOptions"/> recovers, at every rejoin, what it missed (a real Fenix server with history on <c>history:*</c>).</summary>
public sealed class HistoryRecoveryTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_channel_that_reconnects_gets_the_missed_messages_once_in_order_and_says_it_recovered(bool longPoll)
    {
        await using var server = await TestServer.StartAsync(mount: o => o.LongPoll.Enabled = true);
        var broadcaster = server.App.Services.GetRequiredService<IFenixBroadcaster>();
        await using var socket = WebSocketIntegrationTests.Client(server, configure: o =>
        {
            if (longPoll)
            {
                o.Transport = TransportKind.LongPoll;
            }
        });
        await socket.ConnectAsync().Within();
        var topic = $"history:client-{longPoll}";
        var channel = socket.HistoryChannel(topic, () => new { }, new ChannelHistoryOptions { Last = 5 });
        var joins = new ConcurrentQueue<HistoryJoin>();
        var heard = new ConcurrentQueue<Message>();
        channel.HistoryJoined += joins.Enqueue;
        channel.On("said", heard.Enqueue);
        Assert.True((await channel.JoinAsync().Within()).IsOk);
        Assert.True(joins.TryPeek(out var first));
        Assert.True(first.First && first.Enabled && !first.Recovered);
        var epoch = first.Position!.Split(':')[0];

        broadcaster.Broadcast(topic, "said", new { n = 1 });
        broadcaster.Broadcast(topic, "said", new { n = 2 });
        await Wait.UntilAsync(() => heard.Count == 2, "the first two messages");
        Assert.Equal($"{epoch}:2", channel.HistoryPosition);

        await socket.DisconnectAsync().Within();
        broadcaster.Broadcast(topic, "said", new { n = 3 }); // missed
        broadcaster.Broadcast(topic, "said", new { n = 4 });
        await socket.ConnectAsync().Within();
        await Wait.UntilAsync(() => joins.Count == 2, "the rejoin");
        var again = joins.ToArray()[1];
        Assert.True(again.Enabled && again.Recovered && !again.First, again.ToString());
        Assert.Equal(2, again.Replayed);
        Assert.Equal($"{epoch}:2", again.Position);

        broadcaster.Broadcast(topic, "said", new { n = 5 });
        await Wait.UntilAsync(() => heard.Count >= 5, "the missed messages and a live one");
        Assert.Equal([1, 2, 3, 4, 5], heard.Select(m => m.Payload.Json.GetProperty("n").GetInt32()));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{epoch}:{i}"), heard.Select(m => m.Ref));
        Assert.Equal($"{epoch}:5", channel.HistoryPosition);
    }

    [Fact]
    public async Task A_position_from_an_earlier_session_recovers_and_a_foreign_one_says_why_not()
    {
        await using var server = await TestServer.StartAsync();
        var broadcaster = server.App.Services.GetRequiredService<IFenixBroadcaster>();
        await using var socket = WebSocketIntegrationTests.Client(server);
        await socket.ConnectAsync().Within();
        var probe = socket.HistoryChannel("history:resume", () => new { }, new ChannelHistoryOptions());
        HistoryJoin? probeJoin = null;
        probe.HistoryJoined += j => probeJoin = j;
        await probe.JoinAsync().Within();
        var epoch = probeJoin!.Position!.Split(':')[0];
        broadcaster.Broadcast("history:resume", "said", new { n = 1 });
        broadcaster.Broadcast("history:resume", "said", new { n = 2 });
        await Wait.UntilAsync(() => probe.HistoryPosition == $"{epoch}:2", "both messages");

        await using var later = WebSocketIntegrationTests.Client(server, "bob");
        await later.ConnectAsync().Within();
        var resumed = later.HistoryChannel("history:resume", () => new { }, new ChannelHistoryOptions { Since = $"{epoch}:1" });
        var got = new ConcurrentQueue<Message>();
        resumed.On("said", got.Enqueue);
        HistoryJoin? resumedJoin = null;
        resumed.HistoryJoined += j => resumedJoin = j;
        await resumed.JoinAsync().Within();
        Assert.True(resumedJoin!.Recovered);
        await Wait.UntilAsync(() => !got.IsEmpty, "the message after the stored position");
        Assert.Equal(2, got.Single().Payload.Json.GetProperty("n").GetInt32());

        var foreign = later.HistoryChannel("history:resume-other", () => new { }, new ChannelHistoryOptions { Since = "zzzzzzzzz0000:3" });
        HistoryJoin? foreignJoin = null;
        foreign.HistoryJoined += j => foreignJoin = j;
        await foreign.JoinAsync().Within();
        Assert.False(foreignJoin!.Recovered);
        Assert.Equal("epoch", foreignJoin.Reason);

        var plain = later.HistoryChannel("room:plain", () => new { }, new ChannelHistoryOptions { Last = 3 });
        HistoryJoin? plainJoin = null;
        plain.HistoryJoined += j => plainJoin = j;
        Assert.True((await plain.JoinAsync().Within()).IsOk);
        Assert.False(plainJoin!.Enabled);
    }

    [Theory]
    [InlineData("0abc:1", true)]
    [InlineData("0mjuohs002ue9:42", true)]
    [InlineData("42", false)]
    [InlineData("ABC:1", false)]
    [InlineData("abc:", false)]
    [InlineData(":1", false)]
    [InlineData("abc:1:2", false)]
    [InlineData(null, false)]
    public void Positions_are_told_apart_from_refs(string? text, bool isPosition) => Assert.Equal(isPosition, Channel.IsHistoryPosition(text));
}
