using Microsoft.Extensions.Logging;

namespace Fenix.Presence.Diagnostics;

/// <summary>Presence's log lines (category <c>Fenix.Presence</c>). Event ids 4000–4999 are stable: do not renumber.</summary>
internal static partial class PresenceLog
{
    [LoggerMessage(4001, LogLevel.Debug, "Tracker shard {Shard} started as replica {Replica}")]
    public static partial void ShardStarted(this ILogger logger, string shard, string replica);

    [LoggerMessage(4002, LogLevel.Debug, "Tracker shard {Shard} stopped (graceful permdown: {Graceful})")]
    public static partial void ShardStopped(this ILogger logger, string shard, bool graceful);

    [LoggerMessage(4003, LogLevel.Information, "Tracker shard {Shard}: replica {Replica} is up")]
    public static partial void ReplicaUp(this ILogger logger, string shard, string replica);

    [LoggerMessage(4004, LogLevel.Warning, "Tracker shard {Shard}: replica {Replica} is down (silent for longer than the down period); its presences leave")]
    public static partial void ReplicaDown(this ILogger logger, string shard, string replica);

    [LoggerMessage(4005, LogLevel.Information, "Tracker shard {Shard}: replica {Replica} is permanently down; its presences are purged")]
    public static partial void ReplicaPermdown(this ILogger logger, string shard, string replica);

    [LoggerMessage(4006, LogLevel.Debug, "Tracker shard {Shard}: requesting a transfer from {Replica}")]
    public static partial void TransferRequested(this ILogger logger, string shard, string replica);

    [LoggerMessage(4007, LogLevel.Debug, "Tracker shard {Shard}: merged a transfer of {Size} items from {Replica} in {ElapsedMs} ms")]
    public static partial void TransferMerged(this ILogger logger, string shard, string replica, int size, double elapsedMs);

    [LoggerMessage(4008, LogLevel.Warning, "Tracker shard {Shard}: ignoring an unexpected {MessageType} on its gossip topic")]
    public static partial void UnexpectedMessage(this ILogger logger, string shard, string messageType);

    [LoggerMessage(4009, LogLevel.Error, "Tracker shard {Shard} failed to handle {Mail}; the shard goes on")]
    public static partial void ShardFault(this ILogger logger, string shard, string mail, Exception exception);

    [LoggerMessage(4010, LogLevel.Error, "The presence fetch hook failed for {Topic}; the diff is sent without its extras")]
    public static partial void FetchFailed(this ILogger logger, string topic, Exception exception);

    [LoggerMessage(4011, LogLevel.Error, "Publishing a presence diff on {Topic} failed")]
    public static partial void PublishFailed(this ILogger logger, string topic, Exception exception);

    [LoggerMessage(4012, LogLevel.Information, "Tracker shard {Shard}: announced a graceful permdown to its peers")]
    public static partial void GracefulPermdownSent(this ILogger logger, string shard);

    [LoggerMessage(4013, LogLevel.Information, "Tracker shard {Shard}: replica {Replica} announced a graceful permdown")]
    public static partial void GracefulPermdownReceived(this ILogger logger, string shard, string replica);
}
