using System.Buffers;
using System.Buffers.Binary;
using Fenix.PubSub;
using Fenix.PubSub.RabbitMQ;
using Fenix.PubSub.Redis;

namespace Fenix.Bench.Cluster;

/// <summary>What a benchmark node runs on: a RabbitMQ routing, or Redis. Builds adapters and reads their counters.</summary>
internal abstract class BenchBackend
{
    /// <summary>The label in the tables, e.g. "RabbitMQ Fanout".</summary>
    public abstract string Label { get; }

    public abstract IPubSubAdapter CreateAdapter(string prefix, string name);

    public abstract Task WaitForConnectionAsync(IPubSubAdapter adapter, CancellationToken cancellationToken);

    /// <summary>Completes once subscriptions made so far take effect for other nodes (RabbitMQ per-topic bindings).</summary>
    public virtual Task FlushTopologyAsync(IPubSubAdapter adapter) => Task.CompletedTask;

    /// <summary>(published, broker messages, dropped) so far.</summary>
    public abstract (long Published, long Batches, long Dropped) Counters(IPubSubAdapter adapter);
}

internal sealed class RabbitMqBench(Uri uri, RabbitMqRouting routing) : BenchBackend
{
    public override string Label => $"RabbitMQ {routing}";

    public override IPubSubAdapter CreateAdapter(string prefix, string name) =>
        new RabbitMqAdapter(name, new RabbitMqAdapterOptions { Uri = uri, Prefix = prefix, Routing = routing, UnbindDelay = TimeSpan.Zero });

    public override Task WaitForConnectionAsync(IPubSubAdapter adapter, CancellationToken cancellationToken) =>
        ((RabbitMqAdapter)adapter).WaitForConnectionAsync(cancellationToken);

    public override Task FlushTopologyAsync(IPubSubAdapter adapter) => ((RabbitMqAdapter)adapter).FlushTopologyAsync();

    public override (long Published, long Batches, long Dropped) Counters(IPubSubAdapter adapter)
    {
        var counters = ((RabbitMqAdapter)adapter).Counters;
        return (counters.Published, counters.Batches, counters.Dropped);
    }
}

internal sealed class RedisBench(string configuration) : BenchBackend
{
    public override string Label => "Redis";

    public override IPubSubAdapter CreateAdapter(string prefix, string name) =>
        new RedisAdapter(name, new RedisAdapterOptions { Configuration = configuration, Prefix = prefix });

    public override Task WaitForConnectionAsync(IPubSubAdapter adapter, CancellationToken cancellationToken) =>
        ((RedisAdapter)adapter).WaitForConnectionAsync(cancellationToken);

    public override (long Published, long Batches, long Dropped) Counters(IPubSubAdapter adapter)
    {
        var counters = ((RedisAdapter)adapter).Counters;
        return (counters.Published, counters.Batches, counters.Dropped);
    }
}

/// <summary>A node of the benchmark: PubSub over its own connection to the backend, with the stamped-message codec.</summary>
internal sealed class BenchNode : IAsyncDisposable
{
    private readonly BenchBackend _backend;

    private BenchNode(FenixPubSub pubSub, BenchBackend backend)
    {
        PubSub = pubSub;
        _backend = backend;
    }

    public FenixPubSub PubSub { get; }

    public (long Published, long Batches, long Dropped) Counters => _backend.Counters(PubSub.Adapter);

    public static async Task<BenchNode> StartAsync(BenchBackend backend, string prefix, string name)
    {
        var adapter = backend.CreateAdapter(prefix, name);
        var pubSub = new FenixPubSub(adapter);
        pubSub.RegisterDecoder(new StampedMessage.Decoder());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await pubSub.StartAsync(timeout.Token);
        await backend.WaitForConnectionAsync(adapter, timeout.Token);
        return new BenchNode(pubSub, backend);
    }

    public Task FlushTopologyAsync() => _backend.FlushTopologyAsync(PubSub.Adapter);

    public ValueTask DisposeAsync() => PubSub.DisposeAsync();
}

/// <summary>A message of a chosen size that carries its send time (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
internal sealed class StampedMessage(long sentAt, int size) : IPubSubMessage
{
    public const string CodecName = "bench.stamped";

    public long SentAt { get; } = sentAt;

    public string Codec => CodecName;

    public void Encode(IBufferWriter<byte> output)
    {
        var length = Math.Max(8, size);
        var span = output.GetSpan(length)[..length];
        span.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(span, SentAt);
        output.Advance(length);
    }

    internal sealed class Decoder : IPubSubMessageDecoder
    {
        public string Codec => CodecName;

        public object Decode(string topic, ReadOnlyMemory<byte> bytes) =>
            new StampedMessage(BinaryPrimitives.ReadInt64LittleEndian(bytes.Span), bytes.Length);
    }
}

/// <summary>Counts stamped messages and records their latency (in stopwatch ticks), up to a capacity.</summary>
internal sealed class LatencyRecorder(int capacity) : ISubscriber
{
    private readonly long[] _latencies = new long[capacity];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Deliver(string topic, object message)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var index = Interlocked.Increment(ref _count) - 1;
        if (message is StampedMessage stamped && index < _latencies.Length)
        {
            _latencies[index] = now - stamped.SentAt;
        }
    }

    public void Reset() => Volatile.Write(ref _count, 0);

    /// <summary>The latency at percentile <paramref name="p"/> (0–100) of the recorded messages, in microseconds.</summary>
    public double PercentileMicroseconds(double p)
    {
        var count = Math.Min(Count, _latencies.Length);
        if (count == 0)
        {
            return double.NaN;
        }

        var sorted = _latencies.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        var index = Math.Clamp((int)Math.Ceiling(p / 100 * count) - 1, 0, count - 1);
        return sorted[index] * 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency;
    }
}
