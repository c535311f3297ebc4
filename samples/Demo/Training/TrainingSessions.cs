namespace Demo.Training;

/// <summary>
/// The in-memory store of training sessions: their state and each participant's completed exercises.
/// Safe from any thread (channels, HTTP endpoints); every read returns an immutable snapshot.
/// </summary>
public sealed class TrainingSessions(TimeProvider time)
{
    private readonly Lock _lock = new();

    /// <summary>Session id → its state; a session appears when first joined or started. Under <see cref="_lock"/>.</summary>
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Adds a participant to a session's roster (nothing if already there).</summary>
    public void Register(string session, string participant)
    {
        lock (_lock)
        {
            SessionOf(session).Progress.TryAdd(participant, []);
        }
    }

    /// <summary>Starts a waiting session; returns the start time, or null when it had already started (or ended).</summary>
    public DateTimeOffset? Start(string session)
    {
        lock (_lock)
        {
            var state = SessionOf(session);
            if (state.State != SessionStates.Waiting)
            {
                return null;
            }

            state.State = SessionStates.Started;
            return time.GetUtcNow();
        }
    }

    /// <summary>Ends a started session; false when it is not running.</summary>
    public bool End(string session)
    {
        lock (_lock)
        {
            var state = SessionOf(session);
            if (state.State != SessionStates.Started)
            {
                return false;
            }

            state.State = SessionStates.Ended;
            return true;
        }
    }

    public CompleteOutcome Complete(string session, string participant, string exercise)
    {
        if (!Exercises.Exists(exercise))
        {
            return CompleteOutcome.UnknownExercise;
        }

        lock (_lock)
        {
            var state = SessionOf(session);
            if (state.State != SessionStates.Started)
            {
                return state.State == SessionStates.Ended ? CompleteOutcome.Ended : CompleteOutcome.NotStarted;
            }

            var done = state.Progress.TryGetValue(participant, out var set) ? set : state.Progress[participant] = [];
            return done.Add(exercise) ? CompleteOutcome.Completed : CompleteOutcome.AlreadyCompleted;
        }
    }

    public ParticipantStatus StatusOf(string session, string participant)
    {
        lock (_lock)
        {
            var state = SessionOf(session);
            return Status(session, state, participant, state.Progress.GetValueOrDefault(participant) ?? []);
        }
    }

    public SessionOverview Overview(string session)
    {
        lock (_lock)
        {
            var state = SessionOf(session);
            var participants = state.Progress
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => Status(session, state, p.Key, p.Value))
                .ToList();
            return new SessionOverview(session, state.State, Exercises.Plan, participants);
        }
    }

    private Session SessionOf(string session)
    {
        if (!_sessions.TryGetValue(session, out var state))
        {
            state = new Session();
            _sessions[session] = state;
        }

        return state;
    }

    private static ParticipantStatus Status(string session, Session state, string participant, HashSet<string> done)
    {
        var completed = Exercises.Plan.Where(e => done.Contains(e.Name)).Select(e => e.Name).ToList();
        return new ParticipantStatus(session, participant, state.State, completed, completed.Count * 100 / Exercises.Plan.Count);
    }

    /// <summary>A session's mutable state; only touched under the store's lock.</summary>
    private sealed class Session
    {
        public string State { get; set; } = SessionStates.Waiting;

        /// <summary>Participant → names of completed exercises.</summary>
        public Dictionary<string, HashSet<string>> Progress { get; } = new(StringComparer.Ordinal);
    }
}
