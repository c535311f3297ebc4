using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.History;

/// <summary>History's log lines (event ids 7xxx, stable).</summary>
internal static partial class HistoryLog
{
    [LoggerMessage(7001, LogLevel.Warning, "History of {Topic}: the store could not give a position ({Reason}); broadcasts go out live without one until it can, and the topic then starts a new epoch")]
    public static partial void AppendFailed(this ILogger logger, string topic, string reason);

    [LoggerMessage(7002, LogLevel.Information, "History of {Topic} starts epoch {Epoch}: broadcasts went out without a position while the store was unreachable")]
    public static partial void EpochRestarted(this ILogger logger, string topic, string epoch);

    [LoggerMessage(7003, LogLevel.Warning, "History of {Topic}: messages were lost before offset {Offset} of epoch {Epoch} ({Reason}); its {Channels} channels stop with history_gap so that their clients recover")]
    public static partial void Gap(this ILogger logger, string topic, long offset, string? epoch, string reason, int channels);

    [LoggerMessage(7004, LogLevel.Debug, "History of {Topic}: read {Count} missing messages after offset {After} from the store")]
    public static partial void GapFilled(this ILogger logger, string topic, int count, long after);

    [LoggerMessage(7005, LogLevel.Warning, "History of {Topic}: the store could not be read for a recovery")]
    public static partial void ReadFailed(this ILogger logger, string topic, Exception exception);

    [LoggerMessage(7006, LogLevel.Debug, "Join of {Topic}: recovered {Recovered} ({Reason}), replaying {Replayed} messages from position {Position}")]
    public static partial void Recovery(this ILogger logger, string topic, bool recovered, string? reason, int replayed, string? position);

    [LoggerMessage(7007, LogLevel.Debug, "Join of {Topic}: invalid history request ({Why})")]
    public static partial void InvalidRequest(this ILogger logger, string topic, string why);

    [LoggerMessage(7008, LogLevel.Warning, "History: {Bytes} bytes of broadcasts already wait for the store; a broadcast of {Topic} goes out without a position")]
    public static partial void AppendQueueFull(this ILogger logger, long bytes, string topic);
}
