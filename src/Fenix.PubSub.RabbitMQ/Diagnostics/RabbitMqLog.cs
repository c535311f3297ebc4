using Microsoft.Extensions.Logging;

namespace Fenix.PubSub.RabbitMQ.Diagnostics;

/// <summary>The RabbitMQ adapter's log lines (category <c>Fenix.PubSub.RabbitMQ</c>). Event ids 5000–5999 are stable: do not renumber.</summary>
internal static partial class RabbitMqLog
{
    [LoggerMessage(5001, LogLevel.Information, "Node {Node} joined the cluster through RabbitMQ at {Endpoint} (queue {Queue}, {Routing} routing, {TopicCount} topic bindings)")]
    public static partial void Connected(this ILogger logger, string node, string endpoint, string queue, RabbitMqRouting routing, int topicCount);

    [LoggerMessage(5002, LogLevel.Warning, "Lost the connection to RabbitMQ at {Endpoint}: {Reason}. Local delivery goes on; messages for other nodes are dropped until the broker returns")]
    public static partial void ConnectionLost(this ILogger logger, string endpoint, string reason);

    [LoggerMessage(5003, LogLevel.Warning, "Cannot reach RabbitMQ at {Endpoint}; retrying with backoff (local delivery goes on)")]
    public static partial void ConnectFailed(this ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(5004, LogLevel.Debug, "Cannot reach RabbitMQ at {Endpoint} (attempt {Attempt}): {Reason}; retrying in {Delay}")]
    public static partial void ConnectRetry(this ILogger logger, string endpoint, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(5005, LogLevel.Information, "Node {Node} rejoined the cluster through RabbitMQ at {Endpoint} after {Outage} ({TopicCount} topic bindings declared again)")]
    public static partial void Reconnected(this ILogger logger, string node, string endpoint, TimeSpan outage, int topicCount);

    [LoggerMessage(5006, LogLevel.Warning, "Dropped {Count} messages for other nodes in the last {Interval} ({Reason})")]
    public static partial void Dropped(this ILogger logger, long count, TimeSpan interval, string reason);

    [LoggerMessage(5007, LogLevel.Error, "Encoding a message on {Topic} with codec {Codec} failed; it is not sent to other nodes")]
    public static partial void EncodeFailed(this ILogger logger, string topic, string codec, Exception exception);

    [LoggerMessage(5008, LogLevel.Warning, "Ignoring a malformed broker message ({Length} bytes): {Reason}")]
    public static partial void Malformed(this ILogger logger, int length, string reason);

    [LoggerMessage(5009, LogLevel.Warning, "RabbitMQ at {Endpoint} did not answer within {Timeout}: node {Node} starts alone and joins the cluster when the broker answers")]
    public static partial void StartedWithoutBroker(this ILogger logger, string endpoint, TimeSpan timeout, string node);

    [LoggerMessage(5010, LogLevel.Debug, "Applied topic bindings: {Bound} bound, {Unbound} unbound ({Total} bound now)")]
    public static partial void BindingsApplied(this ILogger logger, int bound, int unbound, int total);

    [LoggerMessage(5011, LogLevel.Warning, "RabbitMQ blocked node {Node}'s connection ({Reason}): publishing waits, and messages beyond the outgoing bound are dropped")]
    public static partial void Blocked(this ILogger logger, string node, string reason);

    [LoggerMessage(5012, LogLevel.Error, "The queue {Queue} is held by another connection: is another node also named {Node}? Every node needs its own Fenix:Node name")]
    public static partial void QueueLocked(this ILogger logger, string queue, string node);

    [LoggerMessage(5013, LogLevel.Warning, "The broker session of node {Node} failed; reconnecting")]
    public static partial void SessionFailed(this ILogger logger, string node, Exception exception);

    [LoggerMessage(5014, LogLevel.Debug, "Dropped {Count} messages for other nodes: not connected to the broker yet")]
    public static partial void DroppedWhileStarting(this ILogger logger, long count);
}
