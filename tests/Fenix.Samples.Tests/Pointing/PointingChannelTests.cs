using Demo.Pointing;
using Fenix.Samples.Tests.Support;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.Samples.Tests.Pointing;

/// <summary>The Pointing Party channel through the test kit: rounds, the driver's role, and refused input.</summary>
public sealed class PointingChannelTests : IAsyncLifetime
{
    private const string Topic = "pointing:lobby";

    private readonly ChannelTestHost _host = DemoHost.Create();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private readonly List<TestSocket> _sockets = [];

    public async ValueTask DisposeAsync()
    {
        await DemoHost.CloseAndSettleAsync(_host, _sockets, Topic);
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_round_runs_to_a_winner_that_everyone_sees_once_the_last_person_voted()
    {
        var ann = await JoinAsync("ann");
        var bob = await JoinAsync("bob");

        await ann.AssertReplyAsync(ann.Push(Topic, "start_pointing"), "ok");
        foreach (var socket in new[] { ann, bob })
        {
            await socket.AssertPushAsync(PointingChannel.NewCard, p =>
                PayloadReader.String(p, "driver") == "ann" && PayloadReader.Int(p, "round") == 1 && p.Json.GetProperty("card").GetProperty("id").GetString() == Deck.Cards[0].Id);
        }

        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = "5" }), "ok", new { points = "5", round = 1 });
        await bob.AssertPushAsync(PhoenixEvents.PresenceDiff, p => VotedIn(p, "ann") == 1);
        await bob.RefutePushBeforeReplyAsync(PointingChannel.Winner, await BarrierAsync(bob)); // the winner would follow that diff

        await bob.AssertReplyAsync(bob.Push(Topic, "vote", new { points = 5 }), "ok", new { points = "5", round = 1 });
        var winner = new { round = 1, outcome = "winner", points = new[] { "5" }, votes = 2, winner_votes = 2 };
        await ann.AssertPushAsync(PointingChannel.Winner, winner);
        await bob.AssertPushAsync(PointingChannel.Winner, winner);
    }

    [Fact]
    public async Task Equal_counts_are_announced_as_a_tie()
    {
        var (ann, bob) = await StartedRoundAsync();

        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = "8" }), "ok");
        await bob.AssertReplyAsync(bob.Push(Topic, "vote", new { points = "3" }), "ok");

        await ann.AssertPushAsync(PointingChannel.Winner, new { round = 1, outcome = "tie", points = new[] { "3", "8" }, votes = 2, winner_votes = 1 });
    }

    [Fact]
    public async Task The_next_card_reaches_everyone_and_every_channel_clears_its_own_vote()
    {
        var (ann, bob) = await StartedRoundAsync();
        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = "2" }), "ok");
        await bob.AssertReplyAsync(bob.Push(Topic, "vote", new { points = "2" }), "ok");
        await ann.AssertPushAsync(PointingChannel.Winner);
        await bob.AssertPushAsync(PointingChannel.Winner);

        await ann.AssertReplyAsync(ann.Push(Topic, "next_card"), "ok");

        foreach (var socket in new[] { ann, bob })
        {
            await socket.AssertPushAsync(PointingChannel.NewCard, p =>
                PayloadReader.Int(p, "round") == 2 && p.Json.GetProperty("card").GetProperty("id").GetString() == Deck.Cards[1].Id);
        }

        await WaitUntilAsync(async () => (await Presence.ListAsync(Topic)).Values
            .SelectMany(e => e.Metas)
            .All(m => m.GetProperty("vote").ValueKind == System.Text.Json.JsonValueKind.Null));

        // The new round needs everyone's vote again.
        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = "3" }), "ok", new { points = "3", round = 2 });
        await ann.AssertPushAsync(PhoenixEvents.PresenceDiff, p => VotedIn(p, "ann") == 2);
        await ann.RefutePushBeforeReplyAsync(PointingChannel.Winner, await BarrierAsync(ann));
    }

    [Fact]
    public async Task Only_the_driver_deals_the_next_card()
    {
        var (ann, bob) = await StartedRoundAsync();

        await bob.AssertReplyAsync(bob.Push(Topic, "next_card"), "error", new { reason = "only the driver can deal the next card" });
        var refused = ann.Push(Topic, "start_pointing");
        await ann.AssertReplyAsync(refused, "error", new { reason = "pointing has already started" });

        // A card dealt by either refused push would have reached ann's channel before ann's own push.
        await ann.RefutePushBeforeReplyAsync(PointingChannel.NewCard, refused);
        Assert.Equal(1, Rooms.Get("lobby").Round);
    }

    [Fact]
    public async Task When_the_driver_leaves_the_role_passes_to_who_arrived_next()
    {
        var (ann, bob) = await StartedRoundAsync();
        var cid = await JoinAsync("cid");

        await ann.LeaveAsync(Topic);

        await bob.AssertPushAsync(PointingChannel.RoomStateEvent, p => PayloadReader.String(p, "driver") == "bob");
        await cid.AssertPushAsync(PointingChannel.RoomStateEvent, p => PayloadReader.String(p, "driver") == "bob");
        await bob.AssertReplyAsync(bob.Push(Topic, "next_card"), "ok");
    }

    [Fact]
    public async Task When_a_voter_leaves_mid_round_the_tally_is_computed_over_those_still_present()
    {
        var (ann, bob) = await StartedRoundAsync();
        var cid = await JoinAsync("cid");
        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = "13" }), "ok");
        await bob.AssertReplyAsync(bob.Push(Topic, "vote", new { points = "13" }), "ok");
        await ann.AssertPushAsync(PhoenixEvents.PresenceDiff, p => VotedIn(p, "bob") == 1);
        await ann.RefutePushBeforeReplyAsync(PointingChannel.Winner, await BarrierAsync(ann));

        await cid.CloseAsync();

        await ann.AssertPushAsync(PointingChannel.Winner, new { round = 1, outcome = "winner", points = new[] { "13" }, votes = 2, winner_votes = 2 });
        await bob.AssertPushAsync(PointingChannel.Winner, new { round = 1, outcome = "winner", points = new[] { "13" }, votes = 2, winner_votes = 2 });
    }

    [Theory]
    [InlineData("4")]
    [InlineData("")]
    [InlineData("five")]
    public async Task A_vote_that_is_not_a_card_is_refused_and_changes_nothing(string points)
    {
        var (ann, bob) = await StartedRoundAsync();
        var before = (await Presence.ListAsync(Topic))["ann"].Metas.Single().GetProperty("phx_ref").GetString();

        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points }), "error", new { reason = "invalid vote", cards = VoteCalculator.Cards });
        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = 4 }), "error", new { reason = "invalid vote", cards = VoteCalculator.Cards });
        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { }), "error", new { reason = "invalid vote", cards = VoteCalculator.Cards });

        var meta = (await Presence.ListAsync(Topic))["ann"].Metas.Single();
        Assert.Equal(before, meta.GetProperty("phx_ref").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, meta.GetProperty("vote").ValueKind);

        // A barrier: a valid vote changes ann's presence, and bob sees that diff after any diff the refused votes caused.
        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = "5" }), "ok");
        var valid = await bob.AssertPushAsync(PhoenixEvents.PresenceDiff, p => VotedIn(p, "ann") == 1);
        var annDiffs = bob.Received.Where(f => f.Event == PhoenixEvents.PresenceDiff
            && PayloadReader.Keys(f.Payload, "joins").Contains("ann") && PayloadReader.Keys(f.Payload, "leaves").Contains("ann"));
        Assert.Equal([valid], annDiffs);
    }

    [Fact]
    public async Task Voting_before_pointing_starts_is_refused()
    {
        var ann = await JoinAsync("ann");

        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = "3" }), "error", new { reason = "there is no card to vote on" });
        await ann.AssertReplyAsync(ann.Push(Topic, "next_card"), "error", new { reason = "pointing has not started" });
        await ann.AssertReplyAsync(ann.Push(Topic, "shuffle"), "error", new { reason = "unknown event" });
    }

    [Fact]
    public async Task Votes_never_leave_the_server_in_presence_payloads()
    {
        var (ann, bob) = await StartedRoundAsync();
        await ann.AssertReplyAsync(ann.Push(Topic, "vote", new { points = "1" }), "ok");
        await bob.AssertReplyAsync(bob.Push(Topic, "vote", new { points = "2" }), "ok");
        await bob.AssertPushAsync(PointingChannel.Winner);
        var late = await JoinAsync("cid");

        var presenceFrames = new[] { ann, bob, late }
            .SelectMany(s => s.Received)
            .Where(f => f.Event is PhoenixEvents.PresenceState or PhoenixEvents.PresenceDiff)
            .ToList();
        Assert.Contains(presenceFrames, f => PayloadReader.AllMetas(f.Payload).Any(m => m.TryGetProperty("voted_in", out var r) && r.ValueKind != System.Text.Json.JsonValueKind.Null));
        Assert.All(presenceFrames, f => Assert.All(PayloadReader.AllMetas(f.Payload), m => Assert.False(m.TryGetProperty("vote", out _), f.ToString())));
    }

    [Fact]
    public async Task Rooms_must_have_plain_names_and_people_a_name()
    {
        var ann = _host.Socket<PointingSocket>(("name", "ann"));
        var refused = await ann.JoinAsync("pointing:Not A Room");
        Assert.Equal("error", refused.Status);
        Assert.Equal("""{"reason":"unknown room"}""", refused.Response.ToString());

        Assert.Null(await _host.TryConnectAsync<PointingSocket>(new Dictionary<string, string> { ["name"] = "  " }));
        Assert.Null(await _host.TryConnectAsync<PointingSocket>());
        var connected = await _host.ConnectAsync<PointingSocket>(new Dictionary<string, string> { ["name"] = " ann " });
        Assert.Equal("ann", connected.Assigns["name"]);
    }

    private IPresence Presence => _host.Services.GetRequiredService<IPresence>();

    private PointingRooms Rooms => _host.Services.GetRequiredService<PointingRooms>();

    private async Task<TestSocket> JoinAsync(string name)
    {
        var socket = _host.Socket<PointingSocket>(("name", name));
        _sockets.Add(socket);
        await socket.JoinOkAsync(Topic);
        await socket.AssertPushAsync(PhoenixEvents.PresenceState, p => PayloadReader.Keys(p).Contains(name));
        await socket.AssertPushAsync(PointingChannel.RoomStateEvent);
        return socket;
    }

    /// <summary>A push the channel refuses: its reply comes after whatever the channel pushed before handling it.</summary>
    private static async Task<string> BarrierAsync(TestSocket socket)
    {
        var barrier = socket.Push(Topic, "barrier");
        await socket.AssertReplyAsync(barrier, "error", new { reason = "unknown event" });
        return barrier;
    }

    private async Task<(TestSocket Ann, TestSocket Bob)> StartedRoundAsync()
    {
        var ann = await JoinAsync("ann");
        var bob = await JoinAsync("bob");
        await ann.AssertReplyAsync(ann.Push(Topic, "start_pointing"), "ok");
        await ann.AssertPushAsync(PointingChannel.NewCard);
        await bob.AssertPushAsync(PointingChannel.NewCard);
        return (ann, bob);
    }

    private static int? VotedIn(Payload diff, string user) =>
        diff.Json.GetProperty("joins").TryGetProperty(user, out var entry)
        && entry.GetProperty("metas")[0].TryGetProperty("voted_in", out var round)
        && round.ValueKind == System.Text.Json.JsonValueKind.Number
            ? round.GetInt32()
            : null;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
    }
}
