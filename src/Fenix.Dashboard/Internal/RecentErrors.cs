using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fenix.Dashboard.Internal;

/// <summary>One warning or error logged by Fenix on this node.</summary>
internal sealed record LoggedError(long Seq, long At, string Level, string Category, int EventId, string Message, string? Exception);

/// <summary>
/// A logger provider that keeps the last warnings and errors of Fenix's categories (<c>Fenix.*</c>) in a ring, for
/// the dashboard's "recent errors". Logging never blocks on it for long: one short lock per kept entry.
/// </summary>
internal sealed class RecentErrors(IOptions<FenixDashboardOptions> options, TimeProvider time) : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, ErrorLogger> _loggers = new(StringComparer.Ordinal);

    /// <summary>The kept entries, oldest first; at most <see cref="FenixDashboardOptions.MaxErrors"/>. Guarded by itself.</summary>
    private readonly Queue<LoggedError> _entries = new();

    private long _seq;

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new ErrorLogger(this, name));

    /// <summary>The kept entries, newest first.</summary>
    public IReadOnlyList<LoggedError> Snapshot()
    {
        lock (_entries)
        {
            return [.. _entries.Reverse()];
        }
    }

    public void Dispose()
    {
    }

    private void Add(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var max = options.Value.MaxErrors;
        if (max == 0)
        {
            return;
        }

        var entry = new LoggedError(
            Interlocked.Increment(ref _seq),
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            level.ToString(),
            category,
            eventId.Id,
            message.Length > 2_000 ? message[..2_000] + "…" : message,
            exception is null ? null : $"{exception.GetType().FullName}: {exception.Message}");
        lock (_entries)
        {
            _entries.Enqueue(entry);
            while (_entries.Count > max)
            {
                _entries.Dequeue();
            }
        }
    }

    private sealed class ErrorLogger(RecentErrors owner, string category) : ILogger
    {
        private readonly bool _isFenix = category == "Fenix" || category.StartsWith("Fenix.", StringComparison.Ordinal);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => _isFenix && logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add(logLevel, category, eventId, formatter(state, exception), exception);
            }
        }
    }
}
