using System.Diagnostics.Metrics;

namespace Fenix.Presence.Diagnostics;

/// <summary>Presence's instruments on the meter <c>Fenix.Presence</c> (names are stable; dashboards depend on them).</summary>
internal sealed class PresenceMetrics : IDisposable
{
    public const string MeterName = "Fenix.Presence";

    private readonly Meter _meter;

    /// <summary>Stored presences (all shards, visible or not); each shard adds its change after every operation.</summary>
    private long _entries;

    /// <param name="meterFactory">The host's meter factory; null creates a standalone meter.</param>
    public PresenceMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Diffs = _meter.CreateCounter<long>("fenix.presence.diffs", "{diff}", "presence_diff messages published to local subscribers");
        GossipSent = _meter.CreateCounter<long>("fenix.presence.gossip.sent", "{message}", "Tracker messages sent to other nodes, by kind");
        GossipReceived = _meter.CreateCounter<long>("fenix.presence.gossip.received", "{message}", "Tracker messages received from other nodes, by kind");
        ReplicaTransitions = _meter.CreateCounter<long>("fenix.presence.replica.transitions", "{transition}", "Peer replicas going up, down or permanently down, by kind");
        MergeDuration = _meter.CreateHistogram<double>("fenix.presence.merge.duration", "s", "Time to merge a remote delta or transfer");
        _meter.CreateObservableUpDownCounter("fenix.presence.entries", () => Volatile.Read(ref _entries), "{presence}", "Presences stored on this node (local and replicated)");
    }

    public Counter<long> Diffs { get; }

    public Counter<long> GossipSent { get; }

    public Counter<long> GossipReceived { get; }

    public Counter<long> ReplicaTransitions { get; }

    public Histogram<double> MergeDuration { get; }

    /// <summary>Stored presences across all shards of this node.</summary>
    public long Entries => Volatile.Read(ref _entries);

    internal void AddEntries(long change)
    {
        if (change != 0)
        {
            Interlocked.Add(ref _entries, change);
        }
    }

    public void Dispose() => _meter.Dispose();
}
