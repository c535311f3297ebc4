using Microsoft.Extensions.Logging;

namespace Fenix.PubSub.Redis.Diagnostics;

/// <summary>The Redis adapter's log lines (category <c>Fenix.PubSub.Redis</c>). Event ids 6000–6999 are stable: do not renumber.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(6001, LogLevel.Information, "Node {Node} joined the cluster through Redis at {Endpoint} (channel {Channel})")]
    public static partial void Connected(this ILogger logger, string node, string endpoint, string channel);

    [LoggerMessage(6002, LogLevel.Warning, "Lost Redis at {Endpoint}: {Reason}. Local delivery goes on; messages for other nodes are dropped until Redis returns")]
    public static partial void ConnectionLost(this ILogger logger, string endpoint, string reason);

    [LoggerMessage(6003, LogLevel.Warning, "Cannot reach Redis at {Endpoint}: {Reason}; retrying with backoff (local delivery goes on)")]
    public static partial void CannotReach(this ILogger logger, string endpoint, string reason);

    [LoggerMessage(6004, LogLevel.Debug, "Redis at {Endpoint} is connected but the probe through channel {Channel} has not come back yet (attempt {Attempt})")]
    public static partial void ProbePending(this ILogger logger, string endpoint, string channel, int attempt);

    [LoggerMessage(6005, LogLevel.Information, "Node {Node} rejoined the cluster through Redis at {Endpoint} after {Outage}")]
    public static partial void Reconnected(this ILogger logger, string node, string endpoint, TimeSpan outage);

    [LoggerMessage(6006, LogLevel.Warning, "Dropped {Count} messages for other nodes in the last {Interval} ({Reason})")]
    public static partial void Dropped(this ILogger logger, long count, TimeSpan interval, string reason);

    [LoggerMessage(6007, LogLevel.Error, "Encoding a message on {Topic} with codec {Codec} failed; it is not sent to other nodes")]
    public static partial void EncodeFailed(this ILogger logger, string topic, string codec, Exception exception);

    [LoggerMessage(6008, LogLevel.Warning, "Ignoring a malformed message on channel {Channel} ({Length} bytes): {Reason}")]
    public static partial void Malformed(this ILogger logger, string channel, int length, string reason);

    [LoggerMessage(6009, LogLevel.Warning, "Redis at {Endpoint} did not answer within {Timeout}: node {Node} starts alone and joins the cluster when Redis answers")]
    public static partial void StartedWithoutRedis(this ILogger logger, string endpoint, TimeSpan timeout, string node);

    [LoggerMessage(6010, LogLevel.Error, "Another process also uses the node name {Node} on channel {Channel}: every node needs its own Fenix:Node name (messages between the two are lost)")]
    public static partial void DuplicateNodeName(this ILogger logger, string node, string channel);

    [LoggerMessage(6011, LogLevel.Debug, "Dropped {Count} messages for other nodes: not connected to Redis yet")]
    public static partial void DroppedWhileStarting(this ILogger logger, long count);
}
