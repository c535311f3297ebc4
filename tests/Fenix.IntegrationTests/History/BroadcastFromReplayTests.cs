using System.Globalization;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.History;

/// <summary>
/// <c>BroadcastFrom</c> (the Chat's "shout") skips the sending channel instance live, as Phoenix's broadcast_from skips
/// the sending process. History keeps the topic's messages, not who should not see them: a rejoin from a position
/// before the shout replays it to the sender's new channel instance, once, with its position (docs/history.md).
/// </summary>
public sealed class BroadcastFromReplayTests(HistoryChatServer chat) : IClassFixture<HistoryChatServer>
{
    private const string Lobby = "rooms:lobby";

    [Fact]
    public async Task A_shout_skips_its_sender_live_and_a_rejoin_from_before_it_replays_it_to_the_sender_once()
    {
        var m = $"shout{Guid.NewGuid():N}"[..12];
        await using var ann = await PhoenixTestClient.ConnectAsync(chat.Process.BaseUri, "/socket", "2.0.0", "user=ann");
        await using var bob = await PhoenixTestClient.ConnectAsync(chat.Process.BaseUri, "/socket", "2.0.0", "user=bob");
        var (annJoin, annRef) = await ann.JoinAsync(Lobby, new { fenix_history = new { } });
        var position = (await ann.AssertReplyAsync(annRef)).Payload!["history"]!["position"]!.GetValue<string>();
        var (bobJoin, bobRef) = await bob.JoinAsync(Lobby, new { fenix_history = new { } });
        await bob.AssertReplyAsync(bobRef);
        var epoch = position.Split(':')[0];
        var offset = long.Parse(position.Split(':')[1], CultureInfo.InvariantCulture);

        await ann.SendAsync(Lobby, "shout", new { body = $"{m}-shout" }, annJoin);
        var shout = await bob.AssertReceiveAsync(f => f.Event == "shout" && Body(f) == $"{m}-shout", "ann's shout at bob");
        Assert.Equal($"{epoch}:{offset + 1}", shout.Ref);
        await bob.SendAsync(Lobby, "new_msg", new { body = $"{m}-after" }, bobJoin);
        var after = await ann.AssertReceiveAsync(f => f.Event == "new_msg" && Body(f) == $"{m}-after", "bob's message at ann");
        Assert.Equal($"{epoch}:{offset + 2}", after.Ref);
        var ping = await ann.SendAsync(Lobby, "ping", new { }, annJoin);
        await ann.RefuteBeforeReplyAsync(f => f.Event == "shout", ping); // live, the shout skipped its sender (it came before bob's)

        // Ann's connection dropped right after she shouted, before anything else reached her: her position is from
        // before her shout. Her new channel instance recovers everything after it — her own shout included.
        await using var annAgain = await PhoenixTestClient.ConnectAsync(chat.Process.BaseUri, "/socket", "2.0.0", "user=ann");
        var (againJoin, againRef) = await annAgain.JoinAsync(Lobby, new { fenix_history = new { since = position } });
        var history = (await annAgain.AssertReplyAsync(againRef)).Payload!["history"]!;
        Assert.True(history["recovered"]!.GetValue<bool>(), history.ToJsonString());
        Assert.Equal(2, history["replayed"]!.GetValue<int>());
        var replayed = await annAgain.AssertReceiveAsync(f => f.Event == "shout", "her shout, replayed");
        Assert.Equal(($"{m}-shout", $"{epoch}:{offset + 1}"), (Body(replayed), replayed.Ref));
        Assert.Equal($"{epoch}:{offset + 2}", (await annAgain.AssertReceiveAsync(f => f.Event == "new_msg", "bob's message, replayed")).Ref);
        var barrier = await annAgain.SendAsync(Lobby, "ping", new { }, againJoin);
        await annAgain.RefuteBeforeReplyAsync(f => f.Event is "shout" or "new_msg", barrier); // each once
    }

    private static string? Body(ClientMessage frame) => frame.Payload?["body"]?.GetValue<string>();
}
