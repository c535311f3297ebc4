namespace Fenix;

/// <summary>
/// Why a channel stopped. Normal and shutdown reasons end it cleanly (the client gets <c>phx_close</c>);
/// anything else is a failure (the client gets <c>phx_error</c> and rejoins).
/// </summary>
public sealed record TerminateReason
{
    private TerminateReason(string name, bool isNormal, Exception? exception = null)
    {
        Name = name;
        IsNormal = isNormal;
        Exception = exception;
    }

    /// <summary>E.g. "left", "closed", "shutdown:disconnected", "crash".</summary>
    public string Name { get; }

    /// <summary>True for normal and shutdown reasons.</summary>
    public bool IsNormal { get; }

    /// <summary>The exception that crashed the channel, if any.</summary>
    public Exception? Exception { get; }

    public static TerminateReason Normal { get; } = new("normal", true);

    public static TerminateReason Shutdown { get; } = new("shutdown", true);

    /// <summary>The client left (<c>phx_leave</c>).</summary>
    public static TerminateReason Left { get; } = new("shutdown:left", true);

    /// <summary>The connection ended.</summary>
    public static TerminateReason Closed { get; } = new("shutdown:closed", true);

    /// <summary>A <c>disconnect</c> broadcast on the socket id closed the connection.</summary>
    public static TerminateReason Disconnected { get; } = new("shutdown:disconnected", true);

    /// <summary>A long-poll session expired without polls.</summary>
    public static TerminateReason Inactive { get; } = new("shutdown:inactive", true);

    /// <summary>The server is shutting down and asked the client to reconnect elsewhere.</summary>
    public static TerminateReason Draining { get; } = new("shutdown:draining", true);

    /// <summary>A normal stop with an application-chosen detail, e.g. <c>ShutdownWith("kicked")</c>.</summary>
    public static TerminateReason ShutdownWith(string detail) => new($"shutdown:{detail}", true);

    /// <summary>An abnormal stop: the client receives <c>phx_error</c>.</summary>
    public static TerminateReason Error(string name) => new(name, false);

    public static TerminateReason Crash(Exception exception) => new("crash", false, exception);

    public override string ToString() => Exception is null ? Name : $"{Name}: {Exception.GetType().Name}: {Exception.Message}";
}
