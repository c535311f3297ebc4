namespace Fenix;

/// <summary>The answer of <see cref="Channel.HandleInAsync"/>: no reply, a reply, or stop (optionally after a reply).</summary>
public readonly struct HandleInResult
{
    private HandleInResult(string? status, object? response, TerminateReason? stop)
    {
        Status = status;
        Response = response;
        StopReason = stop;
    }

    /// <summary>No reply is sent now (a captured <see cref="ReplyRef"/> may reply later).</summary>
    public static HandleInResult NoReply => default;

    /// <summary>The reply status, or null for no reply.</summary>
    public string? Status { get; }

    public object? Response { get; }

    /// <summary>Non-null when the channel stops after this message.</summary>
    public TerminateReason? StopReason { get; }

    /// <summary>Replies <c>{"status":"ok","response":response}</c>.</summary>
    public static HandleInResult Ok(object? response = null) => new(ReplyStatus.Ok, response, null);

    /// <summary>Replies <c>{"status":"error","response":response}</c>, e.g. <c>Error(new { reason = "invalid body" })</c>.</summary>
    public static HandleInResult Error(object? response = null) => new(ReplyStatus.Error, response, null);

    /// <summary>Replies with a custom status (clients match statuses by exact string; prefer ok/error).</summary>
    public static HandleInResult Reply(string status, object? response = null) => new(status, response, null);

    /// <summary>Stops the channel: a normal/shutdown reason closes it (<c>phx_close</c>), any other reason is an error (<c>phx_error</c>).</summary>
    public static HandleInResult Stop(TerminateReason? reason = null) => new(null, null, reason ?? TerminateReason.Normal);

    /// <summary>Replies, then stops.</summary>
    public static HandleInResult Stop(TerminateReason reason, string status, object? response = null) => new(status, response, reason);

    public static implicit operator ValueTask<HandleInResult>(HandleInResult result) => ValueTask.FromResult(result);
}
