using Demo.Training;
using Fenix.Samples.Tests.Support;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.Samples.Tests.Training;

/// <summary>The Training Center channel through the test kit: roles, progress, intercepted overviews, refused input.</summary>
public sealed class TrainingChannelTests : IAsyncLifetime
{
    private const string Session = "morning";
    private const string Topic = TrainingChannel.TopicPrefix + Session;

    private readonly ChannelTestHost _host = DemoHost.Create();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private readonly List<TestSocket> _sockets = [];

    public async ValueTask DisposeAsync()
    {
        await DemoHost.CloseAndSettleAsync(_host, _sockets, Topic);
        await _host.DisposeAsync();
    }

    private TrainingSessions Sessions => _host.Services.GetRequiredService<TrainingSessions>();

    [Theory]
    [InlineData("admin")]
    [InlineData("")]
    [InlineData("Trainer")]
    public async Task Only_trainers_and_participants_may_connect(string role)
    {
        Assert.Null(await _host.TryConnectAsync<TrainingSocket>(new Dictionary<string, string> { ["name"] = "kim", ["role"] = role }));
        Assert.Null(await _host.TryConnectAsync<TrainingSocket>(new Dictionary<string, string> { ["role"] = "trainer" }));
        Assert.NotNull(await _host.TryConnectAsync<TrainingSocket>(new Dictionary<string, string> { ["name"] = "kim", ["role"] = "trainer" }));
        Assert.NotNull(await _host.TryConnectAsync<TrainingSocket>(new Dictionary<string, string> { ["name"] = "lee", ["role"] = "participant" }));
    }

    [Fact]
    public async Task After_joining_a_participant_gets_its_status_and_a_trainer_the_overview_and_who_is_online()
    {
        var lee = await ParticipantAsync("lee");
        var kim = await TrainerAsync("kim");

        var overview = await kim.AssertPushAsync("session_overview");
        Assert.Equal("waiting", PayloadReader.String(overview.Payload, "state"));
        Assert.Equal(["lee"], overview.Payload.Json.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("participant").GetString()));
        var online = Assert.Single(kim.Received, f => f.Event == PhoenixEvents.PresenceState);
        Assert.Equal(["lee"], PayloadReader.Keys(online.Payload));
        Assert.DoesNotContain(lee.Received, f => f.Event == "session_overview");
    }

    [Fact]
    public async Task Completing_an_exercise_updates_the_participant_and_the_trainers_but_not_other_participants()
    {
        var lee = await ParticipantAsync("lee");
        var max = await ParticipantAsync("max");
        var kim = await TrainerAsync("kim");
        await kim.AssertPushAsync("session_overview");
        Sessions.Start(Session);

        await lee.AssertReplyAsync(lee.Push(Topic, "complete_exercise", new { name = "squats" }), "ok", new { exercise = "squats" });

        await lee.AssertPushAsync("participant_status", new { session = Session, participant = "lee", state = "started", completed = new[] { "squats" }, progress = 20 });
        await kim.AssertPushAsync("session_overview", p => ProgressOf(p, "lee") == 20 && ProgressOf(p, "max") == 0);
        var maxBarrier = await BarrierAsync(max);
        await max.RefutePushBeforeReplyAsync("participant_status", maxBarrier);
        await max.RefutePushBeforeReplyAsync("session_overview", maxBarrier);
        await max.RefutePushBeforeReplyAsync(TrainingChannel.StatusUpdated, maxBarrier);
        await lee.RefutePushBeforeReplyAsync(TrainingChannel.StatusUpdated, await BarrierAsync(lee));
    }

    [Fact]
    public async Task Completing_an_exercise_twice_counts_it_once_and_tells_nobody_again()
    {
        var lee = await ParticipantAsync("lee");
        var kim = await TrainerAsync("kim");
        await kim.AssertPushAsync("session_overview");
        Sessions.Start(Session);
        await lee.AssertReplyAsync(lee.Push(Topic, "complete_exercise", new { name = "plank" }), "ok");
        await kim.AssertPushAsync("session_overview", p => ProgressOf(p, "lee") == 20);
        await lee.AssertPushAsync("participant_status");

        await lee.AssertReplyAsync(lee.Push(Topic, "complete_exercise", new { name = "plank" }), "ok");

        await kim.RefutePushBeforeReplyAsync("session_overview", await BarrierAsync(kim));
        Assert.Equal(["plank"], Sessions.StatusOf(Session, "lee").Completed);
    }

    [Fact]
    public async Task An_unknown_exercise_is_refused_and_changes_nothing()
    {
        var lee = await ParticipantAsync("lee");
        var kim = await TrainerAsync("kim");
        await kim.AssertPushAsync("session_overview");
        Sessions.Start(Session);

        await lee.AssertReplyAsync(lee.Push(Topic, "complete_exercise", new { name = "juggling" }), "error", new { reason = "unknown exercise" });
        await lee.AssertReplyAsync(lee.Push(Topic, "complete_exercise", new { name = 3 }), "error", new { reason = "unknown exercise" });
        await lee.AssertReplyAsync(lee.Push(Topic, "complete_exercise"), "error", new { reason = "unknown exercise" });

        await lee.RefutePushBeforeReplyAsync("participant_status", await BarrierAsync(lee));
        await kim.RefutePushBeforeReplyAsync("session_overview", await BarrierAsync(kim));
        Assert.Empty(Sessions.StatusOf(Session, "lee").Completed);
    }

    [Fact]
    public async Task Exercises_count_only_while_the_session_runs()
    {
        var lee = await ParticipantAsync("lee");
        var kim = await TrainerAsync("kim");

        await lee.AssertReplyAsync(lee.Push(Topic, "complete_exercise", new { name = "squats" }), "error", new { reason = "the session has not started" });
        Sessions.Start(Session);
        await kim.AssertReplyAsync(kim.Push(Topic, "end_session"), "ok");
        await lee.AssertPushAsync("training_session_ended", new { session = Session });
        await kim.AssertPushAsync("training_session_ended", new { session = Session });
        await lee.AssertReplyAsync(lee.Push(Topic, "complete_exercise", new { name = "squats" }), "error", new { reason = "the session has ended" });
        Assert.Empty(Sessions.StatusOf(Session, "lee").Completed);
    }

    [Fact]
    public async Task A_participant_calling_a_trainer_only_event_is_refused_and_changes_nothing()
    {
        var lee = await ParticipantAsync("lee");
        var kim = await TrainerAsync("kim");
        Sessions.Start(Session);

        await lee.AssertReplyAsync(lee.Push(Topic, "end_session"), "error", new { reason = "only trainers can end the session" });

        await kim.RefutePushBeforeReplyAsync("training_session_ended", await BarrierAsync(kim));
        Assert.Equal(SessionStates.Started, Sessions.Overview(Session).State);
        await kim.AssertReplyAsync(kim.Push(Topic, "complete_exercise", new { name = "squats" }), "error", new { reason = "only participants complete exercises" });
        await kim.AssertReplyAsync(kim.Push(Topic, "lift"), "error", new { reason = "unknown event" });
    }

    [Fact]
    public async Task A_broadcast_from_outside_any_channel_reaches_every_member_of_the_session()
    {
        var lee = await ParticipantAsync("lee");
        var kim = await TrainerAsync("kim");

        _host.Broadcaster.Broadcast(Topic, "training_session_started", new { session = Session });

        await lee.AssertPushAsync("training_session_started", new { session = Session });
        await kim.AssertPushAsync("training_session_started", new { session = Session });
    }

    [Fact]
    public async Task Sessions_have_plain_ids()
    {
        var kim = _host.Socket<TrainingSocket>(("name", "kim"), ("role", "trainer"));

        var reply = await kim.JoinAsync("training_session:Morning Yoga");

        Assert.Equal("error", reply.Status);
        Assert.Equal("""{"reason":"unknown session"}""", reply.Response.ToString());
    }

    /// <summary>A push the channel refuses: its reply comes after every broadcast published before it was sent.</summary>
    private static async Task<string> BarrierAsync(TestSocket socket)
    {
        var barrier = socket.Push(Topic, "barrier");
        await socket.AssertReplyAsync(barrier, "error", new { reason = "unknown event" });
        return barrier;
    }

    private async Task<TestSocket> ParticipantAsync(string name)
    {
        var socket = _host.Socket<TrainingSocket>(("name", name), ("role", TrainingSocket.Participant));
        _sockets.Add(socket);
        await socket.JoinOkAsync(Topic);
        await socket.AssertPushAsync("participant_status", p => PayloadReader.String(p, "participant") == name);

        // The newcomer's status_updated goes out right after its status: wait for it, or a trainer joining next would
        // get it too (one session_overview more than the test expects).
        await socket.AssertBroadcastAsync(TrainingChannel.StatusUpdated, new { participant = name });
        return socket;
    }

    private async Task<TestSocket> TrainerAsync(string name)
    {
        var socket = _host.Socket<TrainingSocket>(("name", name), ("role", TrainingSocket.Trainer));
        _sockets.Add(socket);
        await socket.JoinOkAsync(Topic);
        await socket.AssertPushAsync(PhoenixEvents.PresenceState); // the last thing a trainer's channel does after joining
        return socket;
    }

    private static int? ProgressOf(Payload overview, string participant) =>
        overview.Json.GetProperty("participants").EnumerateArray()
            .Where(p => p.GetProperty("participant").GetString() == participant)
            .Select(p => (int?)p.GetProperty("progress").GetInt32())
            .FirstOrDefault();
}
