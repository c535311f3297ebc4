using System.Diagnostics.Metrics;

namespace Fenix.PubSub.Redis.Diagnostics;

/// <summary>
/// The adapter's instruments on the meter "Fenix" (names are stable), plus running totals for <see cref="RedisAdapter.Counters"/>.
/// </summary>
internal sealed class RedisMetrics : IDisposable
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

    public RedisMetrics(IMeterFactory? meterFactory, string nodeName, Func<long> outgoingBytes, Func<long> receiveBacklog)
    {
        var tags = new[] { new KeyValuePair<string, object?>("fenix.node", nodeName) };
        var meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? (_ownedMeter = new Meter(MeterName));
        _published = meter.CreateCounter<long>("fenix.pubsub.redis.published", unit: "{message}", description: "Messages for other nodes handed to Redis", tags: tags);
        _batches = meter.CreateCounter<long>("fenix.pubsub.redis.batches", unit: "{batch}", description: "PUBLISH commands sent (each carries one or more messages)", tags: tags);
        _received = meter.CreateCounter<long>("fenix.pubsub.redis.received", unit: "{message}", description: "Messages received from other nodes", tags: tags);
        _dropped = meter.CreateCounter<long>("fenix.pubsub.redis.dropped", unit: "{message}", description: "Messages for other nodes dropped, by reason (starting, disconnected, queue_full, encode_failed, publish_failed, stopped)", tags: tags);
        _reconnects = meter.CreateCounter<long>("fenix.pubsub.redis.reconnects", unit: "{reconnect}", description: "Times the node rejoined the cluster after losing Redis", tags: tags);
        meter.CreateObservableUpDownCounter("fenix.pubsub.redis.outgoing_bytes", outgoingBytes, unit: "By", description: "Bytes waiting to be published", tags: tags);
        meter.CreateObservableUpDownCounter("fenix.pubsub.redis.receive_backlog", receiveBacklog, unit: "{message}", description: "Messages received from Redis and not yet dispatched", tags: tags);
    }

    public RedisAdapterCounters Snapshot() => new(
        Volatile.Read(ref _publishedTotal),
        Volatile.Read(ref _batchesTotal),
        Volatile.Read(ref _receivedTotal),
        Volatile.Read(ref _droppedTotal),
        Volatile.Read(ref _reconnectsTotal));

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
