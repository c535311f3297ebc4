using System.Diagnostics.Metrics;
using Fenix.AspNetCore.Diagnostics;
using Fenix.PubSub.History;

namespace Fenix.AspNetCore.History;

/// <summary>History's instruments on the meter "Fenix" (names are stable).</summary>
internal sealed class HistoryMetrics : IDisposable
{
    private readonly Meter _meter;

    public HistoryMetrics(IMeterFactory meterFactory, Func<IHistoryStore?> store)
    {
        _meter = meterFactory.Create(FenixMetrics.MeterName);
        Appends = _meter.CreateCounter<long>("fenix.history.appends", description: "Broadcasts of history topics by result (positioned, unpositioned)");
        Recoveries = _meter.CreateCounter<long>("fenix.history.recoveries", description: "Joins of history topics that asked to recover, by result (recovered, or the reason they did not)");
        Replayed = _meter.CreateCounter<long>("fenix.history.replayed", description: "Messages replayed to joining clients");
        Gaps = _meter.CreateCounter<long>("fenix.history.gaps", description: "Missing messages noticed by this node, by outcome (filled from the store, lost: clients told)");
        _meter.CreateObservableCounter(
            "fenix.history.evictions", () => (store() as InMemoryHistoryStore)?.Evictions ?? 0, description: "Entries the in-memory store evicted to stay within its byte budget");
        _meter.CreateObservableUpDownCounter(
            "fenix.history.memory", () => (store() as InMemoryHistoryStore)?.Bytes ?? 0, unit: "By", description: "Bytes held by the in-memory history store");
    }

    public Counter<long> Appends { get; }

    public Counter<long> Recoveries { get; }

    public Counter<long> Replayed { get; }

    public Counter<long> Gaps { get; }

    public void Dispose() => _meter.Dispose();
}
