using System.Diagnostics.Metrics;
using Fenix.Diagnostics;

namespace Fenix.Dashboard.Internal;

/// <summary>
/// Reads this host's instruments on the meter "Fenix" through a <see cref="MeterListener"/> — the same public names
/// any exporter sees — keeping running totals of the counters the dashboard charts and the latest values of the gauges.
/// Only meters created by this host's <see cref="IMeterFactory"/> count (tests run several hosts in one process).
/// </summary>
internal sealed class MeterTotals : IDisposable
{
    public const string MessagesIn = "fenix.messages.in";
    public const string MessagesOut = "fenix.messages.out";
    public const string SlowConsumers = "fenix.connections.slow_consumer";
    public const string Crashes = "fenix.channels.crashes";
    public const string ActiveConnections = "fenix.connections.active";
    public const string ActiveChannels = "fenix.channels.active";

    private static readonly string[] Counters = [MessagesIn, MessagesOut, SlowConsumers, Crashes];

    private readonly MeterListener _listener = new();

    /// <summary>Totals by index in <see cref="Counters"/>, added to from any thread.</summary>
    private readonly long[] _totals = new long[Counters.Length];

    /// <summary>Gauge values of the last <see cref="Observe"/>, keyed by instrument and transport; only touched under <see cref="_listener"/>'s lock.</summary>
    private readonly Dictionary<string, long> _gauges = new(StringComparer.Ordinal);

    public MeterTotals(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == FenixDiagnostics.MeterName
                && ReferenceEquals(instrument.Meter.Scope, meterFactory)
                && (Array.IndexOf(Counters, instrument.Name) >= 0 || instrument.Name is ActiveConnections or ActiveChannels))
            {
                listener.EnableMeasurementEvents(instrument, Array.IndexOf(Counters, instrument.Name));
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Total(string counter) => Volatile.Read(ref _totals[Array.IndexOf(Counters, counter)]);

    /// <summary>Reads the gauges now: open connections by transport, and joined channels.</summary>
    public (IReadOnlyDictionary<string, long> Connections, long Channels) Observe()
    {
        lock (_listener)
        {
            _gauges.Clear();
            _listener.RecordObservableInstruments();
            var connections = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var (key, value) in _gauges)
            {
                if (key.StartsWith(ActiveConnections + "/", StringComparison.Ordinal))
                {
                    connections[key[(ActiveConnections.Length + 1)..]] = value;
                }
            }

            return (connections, _gauges.GetValueOrDefault(ActiveChannels));
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is int index && index >= 0)
        {
            Interlocked.Add(ref _totals[index], value);
            return;
        }

        // Observable gauges are only reported from Observe (under the lock).
        var key = instrument.Name;
        foreach (var tag in tags)
        {
            if (tag.Key == "fenix.transport")
            {
                key = $"{key}/{tag.Value}";
            }
        }

        _gauges[key] = _gauges.GetValueOrDefault(key) + value;
    }
}
