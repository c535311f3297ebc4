using System.Diagnostics.Metrics;

namespace Fenix.AspNetCore.Diagnostics;

/// <summary>Fenix's instruments on the meter "Fenix" (names are stable; dashboards depend on them).</summary>
internal sealed class FenixMetrics : IDisposable
{
    public const string MeterName = "Fenix";

    private readonly Meter _meter;
    private long _activeConnections;
    private long _activeChannels;

    public FenixMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        ConnectionsOpened = _meter.CreateCounter<long>("fenix.connections.opened", description: "Connections accepted");
        ConnectionsRefused = _meter.CreateCounter<long>("fenix.connections.refused", description: "Connections refused (origin, version, connect callback)");
        SlowConsumers = _meter.CreateCounter<long>("fenix.connections.slow_consumer", description: "Connections closed because their outbound queue overflowed");
        Joins = _meter.CreateCounter<long>("fenix.channels.joins", description: "Join attempts by result (ok, error, crashed, unmatched, too_many)");
        ChannelCrashes = _meter.CreateCounter<long>("fenix.channels.crashes", description: "Channels that crashed");
        MessagesIn = _meter.CreateCounter<long>("fenix.messages.in", description: "Frames received from clients");
        MessagesOut = _meter.CreateCounter<long>("fenix.messages.out", description: "Frames queued for clients");
        _meter.CreateObservableUpDownCounter("fenix.connections.active", () => Volatile.Read(ref _activeConnections), description: "Open connections");
        _meter.CreateObservableUpDownCounter("fenix.channels.active", () => Volatile.Read(ref _activeChannels), description: "Joined channels");
    }

    public Counter<long> ConnectionsOpened { get; }

    public Counter<long> ConnectionsRefused { get; }

    public Counter<long> SlowConsumers { get; }

    public Counter<long> Joins { get; }

    public Counter<long> ChannelCrashes { get; }

    public Counter<long> MessagesIn { get; }

    public Counter<long> MessagesOut { get; }

    public long ActiveConnections => Volatile.Read(ref _activeConnections);

    public long ActiveChannels => Volatile.Read(ref _activeChannels);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _activeConnections);
        ConnectionsOpened.Add(1);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _activeConnections);

    public void ChannelJoined() => Interlocked.Increment(ref _activeChannels);

    public void ChannelEnded() => Interlocked.Decrement(ref _activeChannels);

    public void Dispose() => _meter.Dispose();
}
