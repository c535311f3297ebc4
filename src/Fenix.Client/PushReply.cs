namespace Fenix.Client;

/// <summary>
/// The outcome of a push (or of a join or leave): the server's reply status and response, or the local status
/// <c>"timeout"</c> when no reply came in time. <see cref="Response"/> is JSON, or binary for a binary reply.
/// </summary>
public sealed record PushReply(string Status, Payload Response)
{
    /// <summary>The status phoenix.js reports when no reply arrived in time.</summary>
    public const string TimeoutStatus = "timeout";

    public bool IsOk => Status == ReplyStatus.Ok;

    public bool IsError => Status == ReplyStatus.Error;

    public bool IsTimeout => Status == TimeoutStatus;

    internal static PushReply Timeout { get; } = new(TimeoutStatus, Payload.Empty);

    internal static PushReply LocalOk { get; } = new(ReplyStatus.Ok, Payload.Empty);
}
