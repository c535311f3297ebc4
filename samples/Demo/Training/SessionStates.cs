namespace Demo.Training;

/// <summary>A session's lifecycle: <c>waiting</c> until started over HTTP, then <c>started</c>, then <c>ended</c> by a trainer.</summary>
public static class SessionStates
{
    public const string Waiting = "waiting";
    public const string Started = "started";
    public const string Ended = "ended";
}
