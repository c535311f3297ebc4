using System.Diagnostics.Metrics;
using Fenix.PubSub.Broker;

namespace Fenix.PubSub.Redis.Diagnostics;

/// <summary>
/// The adapter's instruments on the meter "Fenix" (names are stable): the common broker ones plus the receive backlog,
/// and the totals behind <see cref="RedisAdapter.Counters"/>.
/// </summary>
internal sealed class RedisMetrics : BrokerMetrics
{
    private static readonly BrokerInstrumentNames InstrumentNames = new(
        Backend: "redis",
        Broker: "Redis",
        BatchDescription: "PUBLISH commands sent (each carries one or more messages)",
        DropReasons: "starting, disconnected, queue_full, encode_failed, publish_failed, stopped",
        ReconnectDescription: "Times the node rejoined the cluster after losing Redis");

    public RedisMetrics(IMeterFactory? meterFactory, string nodeName, Func<long> outgoingBytes, Func<long> receiveBacklog)
        : base(meterFactory, nodeName, InstrumentNames, outgoingBytes)
    {
        Meter.CreateObservableUpDownCounter(Name("receive_backlog"), receiveBacklog, unit: "{message}", description: "Messages received from Redis and not yet dispatched", tags: Tags);
    }

    public RedisAdapterCounters Snapshot() => new(PublishedTotal, BatchesTotal, ReceivedTotal, DroppedTotal, ReconnectsTotal);
}
