using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Fenix.Presence.Tests.Support;

/// <summary>Collects log entries (level, event id, message) for assertions.</summary>
internal sealed class ListLogger : ILoggerFactory, ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception), exception));

    public void Dispose()
    {
    }
}
