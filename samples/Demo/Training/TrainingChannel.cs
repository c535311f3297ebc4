using System.Globalization;
using Demo.Shared;
using Fenix;

namespace Demo.Training;

/// <summary>
/// A trainer or a participant in <c>training_session:&lt;id&gt;</c>. After joining, a participant is tracked in presence
/// (key = name, meta <c>{online_at}</c>) and pushed its <c>participant_status</c>; a trainer is pushed the
/// <c>session_overview</c> and <c>presence_state</c>, so it sees who is online.
/// <para>
/// <c>complete_exercise {name}</c> (participants) updates the store, pushes <c>participant_status</c> to that participant
/// and broadcasts <c>status_updated</c>, which is intercepted: trainers push a fresh overview, participants drop it.
/// <c>end_session</c> is for trainers. Sessions start over HTTP (<see cref="TrainingEndpoints"/>), which broadcasts
/// <c>training_session_started</c> to the topic.
/// </para>
/// </summary>
public sealed class TrainingChannel : Channel
{
    public const string TopicPrefix = "training_session:";
    public const string StatusUpdated = "status_updated";

    private readonly IPresence _presence;
    private readonly TrainingSessions _sessions;
    private readonly TimeProvider _time;

    private string _session = "";
    private string _name = "";
    private bool _isTrainer;

    public TrainingChannel(IPresence presence, TrainingSessions sessions, TimeProvider time)
    {
        _presence = presence;
        _sessions = sessions;
        _time = time;
        Intercept(StatusUpdated);
    }

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        if (!TopicName.TryGetId(Topic, TopicPrefix, out var session))
        {
            return JoinResult.Error(new { reason = "unknown session" });
        }

        _session = session;
        _name = Socket.Assigns.Get<string>("name");
        _isTrainer = Socket.Assigns.Get<string>("role") == TrainingSocket.Trainer;
        if (!_isTrainer)
        {
            _sessions.Register(_session, _name);
        }

        Send(AfterJoin.Instance);
        return JoinResult.Ok(new { session, name = _name, role = Socket.Assigns["role"], exercises = Exercises.Plan });
    }

    public override async ValueTask HandleInfoAsync(object message)
    {
        if (message is not AfterJoin)
        {
            await base.HandleInfoAsync(message);
            return;
        }

        if (_isTrainer)
        {
            Push("session_overview", _sessions.Overview(_session));
            Push(PhoenixEvents.PresenceState, await _presence.ListAsync(this));
            return;
        }

        var onlineAt = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await _presence.TrackAsync(this, _name, new Dictionary<string, string> { ["online_at"] = onlineAt });
        Push("participant_status", _sessions.StatusOf(_session, _name));
        // Trainers already in the room learn about a newcomer's (empty) progress.
        Broadcast(StatusUpdated, new { participant = _name });
    }

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload) => @event switch
    {
        "complete_exercise" => CompleteExercise(payload),
        "end_session" => EndSession(),
        _ => HandleInResult.Error(new { reason = "unknown event" }),
    };

    public override ValueTask HandleOutAsync(string @event, Payload payload)
    {
        if (@event == StatusUpdated && _isTrainer)
        {
            Push("session_overview", _sessions.Overview(_session));
        }

        return ValueTask.CompletedTask;
    }

    private HandleInResult CompleteExercise(Payload payload)
    {
        if (_isTrainer)
        {
            return HandleInResult.Error(new { reason = "only participants complete exercises" });
        }

        if (!payload.TryGetString("name", out var exercise))
        {
            return HandleInResult.Error(new { reason = "unknown exercise" });
        }

        switch (_sessions.Complete(_session, _name, exercise))
        {
            case CompleteOutcome.UnknownExercise:
                return HandleInResult.Error(new { reason = "unknown exercise" });
            case CompleteOutcome.NotStarted:
                return HandleInResult.Error(new { reason = "the session has not started" });
            case CompleteOutcome.Ended:
                return HandleInResult.Error(new { reason = "the session has ended" });
            case CompleteOutcome.Completed:
                Push("participant_status", _sessions.StatusOf(_session, _name));
                Broadcast(StatusUpdated, new { participant = _name });
                return HandleInResult.Ok(new { exercise });
            default:
                return HandleInResult.Ok(new { exercise });
        }
    }

    private HandleInResult EndSession()
    {
        if (!_isTrainer)
        {
            return HandleInResult.Error(new { reason = "only trainers can end the session" });
        }

        if (!_sessions.End(_session))
        {
            return HandleInResult.Error(new { reason = "the session is not running" });
        }

        Broadcast("training_session_ended", new { session = _session });
        return HandleInResult.Ok();
    }

    private sealed class AfterJoin
    {
        public static AfterJoin Instance { get; } = new();
    }
}
