using System.Diagnostics.Metrics;
using Fenix.PubSub.Broker;

namespace Fenix.PubSub.RabbitMQ.Diagnostics;

/// <summary>
/// The adapter's instruments on the meter "Fenix" (names are stable): the common broker ones plus binding operations,
/// and the totals behind <see cref="RabbitMqAdapter.Counters"/>.
/// </summary>
internal sealed class RabbitMqMetrics : BrokerMetrics
{
    private static readonly BrokerInstrumentNames InstrumentNames = new(
        Backend: "rabbitmq",
        Broker: "the broker",
        BatchDescription: "Broker messages published (each carries one or more messages)",
        DropReasons: "disconnected, queue_full, encode_failed, publish_failed",
        ReconnectDescription: "Connections re-established after the broker was lost");

    private readonly Counter<long> _bindingOperations;
    private long _bindingOperationsTotal;

    public RabbitMqMetrics(IMeterFactory? meterFactory, string nodeName, Func<long> outgoingBytes)
        : base(meterFactory, nodeName, InstrumentNames, outgoingBytes)
    {
        _bindingOperations = Meter.CreateCounter<long>(Name("binding_operations"), unit: "{operation}", description: "Topic bindings added or removed on the broker", tags: Tags);
    }

    public RabbitMqAdapterCounters Snapshot() => new(
        PublishedTotal, BatchesTotal, ReceivedTotal, DroppedTotal, ReconnectsTotal, Volatile.Read(ref _bindingOperationsTotal));

    public void BindingOperations(int count)
    {
        Interlocked.Add(ref _bindingOperationsTotal, count);
        _bindingOperations.Add(count);
    }
}
