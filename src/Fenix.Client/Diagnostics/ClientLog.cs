using Microsoft.Extensions.Logging;

namespace Fenix.Client.Diagnostics;

/// <summary>The client's log messages; event ids are stable (3000-3099).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Connecting over {Transport} to {Url}")]
    public static partial void Connecting(this ILogger logger, TransportKind transport, string url);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "{Transport} connected to {Url}")]
    public static partial void Connected(this ILogger logger, TransportKind transport, string url);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Connection closed: code {Code} {Reason}, {Action}")]
    public static partial void Closed(this ILogger logger, int code, string? reason, string action);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Transport error: {Reason}")]
    public static partial void TransportError(this ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Heartbeat timeout; reconnecting")]
    public static partial void HeartbeatTimeout(this ILogger logger);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Reconnecting in {Delay} (attempt {Attempt})")]
    public static partial void ReconnectScheduled(this ILogger logger, TimeSpan delay, int attempt);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Falling back to long poll: {Reason}")]
    public static partial void FallingBack(this ILogger logger, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Trace, Message = "push {Topic} {Event} ({JoinRef}, {Ref})")]
    public static partial void Push(this ILogger logger, string topic, string @event, string? joinRef, string? @ref);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Trace, Message = "receive {Topic} {Event} ({JoinRef}, {Ref})")]
    public static partial void Receive(this ILogger logger, string topic, string @event, string? joinRef, string? @ref);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Dropped an undecodable frame from the server")]
    public static partial void DecodeFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "An event handler threw; the socket carries on")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Debug, Message = "Channel {Topic} joined ({JoinRef})")]
    public static partial void ChannelJoined(this ILogger logger, string topic, string? joinRef);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Information, Message = "Channel {Topic} join refused: {Response}")]
    public static partial void ChannelRefused(this ILogger logger, string topic, string response);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Warning, Message = "Channel {Topic} join timed out ({JoinRef}) after {Timeout}")]
    public static partial void ChannelJoinTimeout(this ILogger logger, string topic, string? joinRef, TimeSpan timeout);

    [LoggerMessage(EventId = 3023, Level = LogLevel.Information, Message = "Channel {Topic} errored: {Reason}")]
    public static partial void ChannelErrored(this ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 3024, Level = LogLevel.Debug, Message = "Channel {Topic} closed ({JoinRef})")]
    public static partial void ChannelClosed(this ILogger logger, string topic, string? joinRef);

    [LoggerMessage(EventId = 3025, Level = LogLevel.Trace, Message = "Dropping outdated {Event} for {Topic}: join_ref {JoinRef}, current {Current}")]
    public static partial void DroppingOutdated(this ILogger logger, string topic, string @event, string? joinRef, string? current);

    [LoggerMessage(EventId = 3026, Level = LogLevel.Debug, Message = "Leaving duplicate topic {Topic}")]
    public static partial void LeavingDuplicate(this ILogger logger, string topic);
}
