using System.Collections.Concurrent;
using Fenix.AspNetCore.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fenix.AspNetCore.Transports;

/// <summary>A connection the registry watches for idleness and asks to drain at shutdown.</summary>
internal interface ITrackedConnection
{
    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> of the last frame received.</summary>
    long LastActivity { get; }

    /// <summary>How long the connection may stay silent.</summary>
    TimeSpan IdleTimeout { get; }

    void OnIdleTimeout();

    /// <summary>Ask the client to reconnect elsewhere (WebSocket close 1012).</summary>
    void Drain();
}

/// <summary>
/// Every open connection of the server: one timer sweeps them all once a second for idle timeouts (instead of a
/// timer per connection), and at shutdown they are drained in batches so clients reconnect elsewhere.
/// </summary>
internal sealed class ConnectionRegistry(TimeProvider time, IOptions<FenixOptions> options, ILogger<ConnectionRegistry> logger)
    : IHostedLifecycleService, IDisposable
{
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<ITrackedConnection, byte> _connections = new(ReferenceEqualityComparer.Instance);
    private ITimer? _sweeper;

    private int _webSockets;

    /// <summary>1 once the drain began; never reset (the server is stopping).</summary>
    private int _draining;

    public int Count => _connections.Count;

    /// <summary>Open WebSocket connections (upgraded HTTP connections, which Kestrel limits separately).</summary>
    public int WebSocketCount => Volatile.Read(ref _webSockets);

    public void WebSocketOpened() => Interlocked.Increment(ref _webSockets);

    public void WebSocketClosed() => Interlocked.Decrement(ref _webSockets);

    public TimeProvider Time => time;

    /// <summary>
    /// True once shutdown began draining. Kestrel still accepts connections until it stops (after every other hosted
    /// service), and a client told to reconnect comes straight back: new WebSockets are refused (503) and a connection
    /// that got past that check is drained as soon as it starts, or Kestrel would wait out its shutdown timeout on it.
    /// </summary>
    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>
    /// Whether a new WebSocket is refused (503) before its connect callback runs: while draining, or at
    /// <paramref name="upgradedLimit"/> (Kestrel's upgraded-connection limit). One rule for the HTTP endpoint and the
    /// direct listener.
    /// </summary>
    public bool RefusesWebSocket(long? upgradedLimit) => IsDraining || (upgradedLimit is { } limit && WebSocketCount >= limit);

    public void Add(ITrackedConnection connection) => _connections.TryAdd(connection, 0);

    public void Remove(ITrackedConnection connection) => _connections.TryRemove(connection, out _);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sweeper = time.CreateTimer(_ => Sweep(), null, SweepPeriod, SweepPeriod);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Drains before any hosted service stops — Kestrel included, which would otherwise wait out its shutdown timeout
    /// on open WebSockets and then abort them (clients would see 1006 instead of a request to reconnect).
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        Interlocked.Exchange(ref _draining, 1); // before the snapshot: a connection added after it sees the flag
        var remaining = _connections.Keys.ToList();
        if (remaining.Count == 0)
        {
            return;
        }

        logger.Draining(remaining.Count);
        var deadline = time.GetTimestamp() + (long)(settings.DrainTimeout.TotalSeconds * time.TimestampFrequency);
        for (var i = 0; i < remaining.Count; i += settings.DrainBatchSize)
        {
            foreach (var connection in remaining.Skip(i).Take(settings.DrainBatchSize))
            {
                connection.Drain();
            }

            if (i + settings.DrainBatchSize < remaining.Count && time.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(settings.DrainInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _sweeper?.Dispose();

    private void Sweep()
    {
        var now = time.GetTimestamp();

        // Enumerating the dictionary itself takes no lock and copies nothing (Keys would do both, every second).
        foreach (var (connection, _) in _connections)
        {
            if (time.GetElapsedTime(connection.LastActivity, now) > connection.IdleTimeout)
            {
                connection.OnIdleTimeout();
            }
        }
    }
}
