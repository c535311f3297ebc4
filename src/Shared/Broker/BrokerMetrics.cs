using System.Diagnostics.Metrics;

namespace Fenix.PubSub.Broker;

/// <summary>What a broker adapter's common instruments say about its backend (their names are <c>fenix.pubsub.{Backend}.*</c>).</summary>
/// <param name="Backend">The instruments' name segment, e.g. <c>redis</c>.</param>
/// <param name="Broker">The backend as a description names it, e.g. <c>Redis</c> or <c>the broker</c>.</param>
/// <param name="BatchDescription">What one batch is on this backend.</param>
/// <param name="DropReasons">The <c>reason</c> tags the adapter's drops carry.</param>
/// <param name="ReconnectDescription">What one reconnect means on this backend.</param>
internal sealed record BrokerInstrumentNames(string Backend, string Broker, string BatchDescription, string DropReasons, string ReconnectDescription);

/// <summary>
/// The instruments every broker adapter has on the meter "Fenix" (published, batches, received, dropped, reconnects,
/// outgoing bytes), with running totals for the adapter's <c>Counters</c>; an adapter adds its own in a subclass.
/// </summary>
internal abstract class BrokerMetrics : IDisposable
{
    public const string MeterName = "Fenix";

    /// <summary>Owned (and disposed) only when no meter factory provided it.</summary>
    private readonly Meter? _ownedMeter;

    private readonly Counter<long> _published;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _received;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _reconnects;
    private long _publishedTotal;
    private long _batchesTotal;
    private long _receivedTotal;
    private long _droppedTotal;
    private long _reconnectsTotal;

    protected BrokerMetrics(IMeterFactory? meterFactory, string nodeName, BrokerInstrumentNames names, Func<long> outgoingBytes)
    {
        Names = names;
        Tags = [new KeyValuePair<string, object?>("fenix.node", nodeName)];
        Meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? (_ownedMeter = new Meter(MeterName));
        _published = Meter.CreateCounter<long>(Name("published"), unit: "{message}", description: $"Messages for other nodes handed to {names.Broker}", tags: Tags);
        _batches = Meter.CreateCounter<long>(Name("batches"), unit: "{batch}", description: names.BatchDescription, tags: Tags);
        _received = Meter.CreateCounter<long>(Name("received"), unit: "{message}", description: "Messages received from other nodes", tags: Tags);
        _dropped = Meter.CreateCounter<long>(Name("dropped"), unit: "{message}", description: $"Messages for other nodes dropped, by reason ({names.DropReasons})", tags: Tags);
        _reconnects = Meter.CreateCounter<long>(Name("reconnects"), unit: "{reconnect}", description: names.ReconnectDescription, tags: Tags);
        Meter.CreateObservableUpDownCounter(Name("outgoing_bytes"), outgoingBytes, unit: "By", description: "Bytes waiting to be published", tags: Tags);
    }

    protected BrokerInstrumentNames Names { get; }

    protected Meter Meter { get; }

    protected KeyValuePair<string, object?>[] Tags { get; }

    protected long PublishedTotal => Volatile.Read(ref _publishedTotal);

    protected long BatchesTotal => Volatile.Read(ref _batchesTotal);

    protected long ReceivedTotal => Volatile.Read(ref _receivedTotal);

    protected long DroppedTotal => Volatile.Read(ref _droppedTotal);

    protected long ReconnectsTotal => Volatile.Read(ref _reconnectsTotal);

    /// <summary>The full name of one of this adapter's instruments.</summary>
    protected string Name(string instrument) => $"fenix.pubsub.{Names.Backend}.{instrument}";

    /// <summary>One batch carrying <paramref name="messages"/> went to the backend.</summary>
    public void Published(int messages)
    {
        Interlocked.Add(ref _publishedTotal, messages);
        Interlocked.Increment(ref _batchesTotal);
        _published.Add(messages);
        _batches.Add(1);
    }

    public void Received(int messages)
    {
        Interlocked.Add(ref _receivedTotal, messages);
        _received.Add(messages);
    }

    public void Dropped(long messages, string reason)
    {
        Interlocked.Add(ref _droppedTotal, messages);
        _dropped.Add(messages, new KeyValuePair<string, object?>("reason", reason));
    }

    public void Reconnected()
    {
        Interlocked.Increment(ref _reconnectsTotal);
        _reconnects.Add(1);
    }

    public void Dispose() => _ownedMeter?.Dispose();
}
