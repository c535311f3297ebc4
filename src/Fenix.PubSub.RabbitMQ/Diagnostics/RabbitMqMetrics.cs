using System.Diagnostics.Metrics;

namespace Fenix.PubSub.RabbitMQ.Diagnostics;

/// <summary>
/// The adapter's instruments on the meter "Fenix" (names are stable), plus running totals for
/// <see cref="RabbitMqAdapter.Counters"/>.
/// </summary>
internal sealed class RabbitMqMetrics : IDisposable
{
    public const string MeterName = "Fenix";

    /// <summary>Owned (and disposed) only when no meter factory provided it.</summary>
    private readonly Meter? _ownedMeter;

    private readonly Counter<long> _published;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _received;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _bindingOperations;
    private long _publishedTotal;
    private long _batchesTotal;
    private long _receivedTotal;
    private long _droppedTotal;
    private long _reconnectsTotal;
    private long _bindingOperationsTotal;

    public RabbitMqMetrics(IMeterFactory? meterFactory, string nodeName, Func<long> outgoingBytes)
    {
        var tags = new[] { new KeyValuePair<string, object?>("fenix.node", nodeName) };
        var meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? (_ownedMeter = new Meter(MeterName));
        _published = meter.CreateCounter<long>("fenix.pubsub.rabbitmq.published", unit: "{message}", description: "Messages for other nodes handed to the broker", tags: tags);
        _batches = meter.CreateCounter<long>("fenix.pubsub.rabbitmq.batches", unit: "{batch}", description: "Broker messages published (each carries one or more messages)", tags: tags);
        _received = meter.CreateCounter<long>("fenix.pubsub.rabbitmq.received", unit: "{message}", description: "Messages received from other nodes", tags: tags);
        _dropped = meter.CreateCounter<long>("fenix.pubsub.rabbitmq.dropped", unit: "{message}", description: "Messages for other nodes dropped, by reason (disconnected, queue_full, encode_failed, publish_failed)", tags: tags);
        _reconnects = meter.CreateCounter<long>("fenix.pubsub.rabbitmq.reconnects", unit: "{reconnect}", description: "Connections re-established after the broker was lost", tags: tags);
        _bindingOperations = meter.CreateCounter<long>("fenix.pubsub.rabbitmq.binding_operations", unit: "{operation}", description: "Topic bindings added or removed on the broker", tags: tags);
        meter.CreateObservableUpDownCounter("fenix.pubsub.rabbitmq.outgoing_bytes", outgoingBytes, unit: "By", description: "Bytes waiting to be published", tags: tags);
    }

    public RabbitMqAdapterCounters Snapshot() => new(
        Volatile.Read(ref _publishedTotal),
        Volatile.Read(ref _batchesTotal),
        Volatile.Read(ref _receivedTotal),
        Volatile.Read(ref _droppedTotal),
        Volatile.Read(ref _reconnectsTotal),
        Volatile.Read(ref _bindingOperationsTotal));

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

    public void BindingOperations(int count)
    {
        Interlocked.Add(ref _bindingOperationsTotal, count);
        _bindingOperations.Add(count);
    }

    public void Dispose() => _ownedMeter?.Dispose();
}
