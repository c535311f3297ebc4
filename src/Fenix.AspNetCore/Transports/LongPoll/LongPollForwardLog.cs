using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Transports.LongPoll;

/// <summary>Log lines of long-poll forwarding between nodes (category <c>Fenix.Socket</c>). Event ids 1101–1199 are stable.</summary>
internal static partial class LongPollForwardLog
{
    [LoggerMessage(1101, LogLevel.Information, "Node {Node} did not acknowledge a forwarded long-poll request within {Timeout}: treating the session as gone")]
    public static partial void ForwardUnacknowledged(this ILogger logger, string node, TimeSpan timeout);

    [LoggerMessage(1102, LogLevel.Warning, "Node {Node} acknowledged a forwarded long-poll request but sent no result within {Timeout}")]
    public static partial void ForwardTimedOut(this ILogger logger, string node, TimeSpan timeout);

    [LoggerMessage(1103, LogLevel.Error, "Serving a forwarded long-poll request on session {Session} failed")]
    public static partial void ForwardFailed(this ILogger logger, string session, Exception exception);
}
