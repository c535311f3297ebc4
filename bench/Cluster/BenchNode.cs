using System.Buffers;
using System.Buffers.Binary;
using Fenix.PubSub;
using Fenix.PubSub.RabbitMQ;

namespace Fenix.Bench.Cluster;

/// <summary>A node of the benchmark: PubSub over its own RabbitMQ connection, with the stamped-message codec.</summary>
internal sealed class BenchNode : IAsyncDisposable
{
    private BenchNode(FenixPubSub pubSub, RabbitMqAdapter adapter)
    {
        PubSub = pubSub;
        Adapter = adapter;
    }

    public FenixPubSub PubSub { get; }

    public RabbitMqAdapter Adapter { get; }

    public static async Task<BenchNode> StartAsync(Uri uri, string prefix, string name, RabbitMqRouting routing)
    {
        var options = new RabbitMqAdapterOptions { Uri = uri, Prefix = prefix, Routing = routing, UnbindDelay = TimeSpan.Zero };
        var adapter = new RabbitMqAdapter(name, options);
        var pubSub = new FenixPubSub(adapter);
        pubSub.RegisterDecoder(new StampedMessage.Decoder());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await pubSub.StartAsync(timeout.Token);
        await adapter.WaitForConnectionAsync(timeout.Token);
        return new BenchNode(pubSub, adapter);
    }

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
