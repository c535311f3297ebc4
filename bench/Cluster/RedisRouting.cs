using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using StackExchange.Redis;

namespace Fenix.Bench.Cluster;

/// <summary>
/// The measurements behind the Redis adapter's routing, on raw StackExchange.Redis (one PUBLISH per message, 100 bytes,
/// a publisher and a subscriber connection): per-topic channels (SUBSCRIBE churn, throughput, order), a fixed set of
/// shard channels with SUBSCRIBE and with sharded pub/sub (SSUBSCRIBE/SPUBLISH), and one channel for everything. Order
/// is what a node would see: each subscription is an ordered queue read by its own loop (the client's ordered API).
/// </summary>
internal static class RedisRouting
{
    private const int PayloadBytes = 100;
    private const int MaxPending = 1_000;

    public static async Task RunAsync(string configuration, bool quick, TextWriter report)
    {
        var count = quick ? 50_000 : 200_000;
        var prefix = $"fenix-routing-{Guid.NewGuid().ToString("N")[..8]}";
        await using var publisher = await ConnectionMultiplexer.ConnectAsync(configuration);
        await using var subscriber = await ConnectionMultiplexer.ConnectAsync(configuration);

        report.WriteLine("| design | channels | subscribe | delivered | throughput | out of publish order | notes |");
        report.WriteLine("|---|---|---|---|---|---|---|");
        await MeasureAsync(report, publisher, subscriber, "per-topic SUBSCRIBE", 1_000, topic => RedisChannel.Literal($"{prefix}:t:{topic}"), count, "a channel per topic; 1 000 topics");
        await MeasureAsync(report, publisher, subscriber, "16 shard channels, SUBSCRIBE", 16, topic => RedisChannel.Literal($"{prefix}:s:{Shard(topic, 16)}"), count, "node-side filtering");
        await MeasureAsync(report, publisher, subscriber, "16 shard channels, SSUBSCRIBE", 16, topic => RedisChannel.Sharded($"{prefix}:ss:{Shard(topic, 16)}"), count, "Redis 7 sharded pub/sub");
        await MeasureAsync(report, publisher, subscriber, "one channel", 1, _ => RedisChannel.Literal($"{prefix}:all"), count, "node-side filtering (the adapter's design)");
        await ChurnAsync(report, subscriber, prefix, quick ? 1_000 : 5_000);
    }

    private static async Task MeasureAsync(
        TextWriter report, ConnectionMultiplexer publisher, ConnectionMultiplexer subscriberConnection, string design, int channels,
        Func<int, RedisChannel> channelOf, int count, string notes)
    {
        const int topics = 1_000;
        var subscriber = subscriberConnection.GetSubscriber();
        var distinct = Enumerable.Range(0, topics).Select(channelOf).Distinct().ToArray();
        var arrivals = new ConcurrentQueue<long>();
        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscribing = Stopwatch.StartNew();
        var queues = await Task.WhenAll(distinct.Select(c => subscriber.SubscribeAsync(c)));
        subscribing.Stop();
        foreach (var queue in queues)
        {
            queue.OnMessage(message =>
            {
                arrivals.Enqueue(BinaryPrimitives.ReadInt64LittleEndian((byte[])message.Message!));
                if (Interlocked.Increment(ref received) == count)
                {
                    done.TrySetResult();
                }
            });
        }

        var pub = publisher.GetSubscriber();
        var pending = new Queue<Task>();
        var started = Stopwatch.StartNew();
        for (long i = 0; i < count; i++)
        {
            var body = new byte[PayloadBytes];
            BinaryPrimitives.WriteInt64LittleEndian(body, i);
            pending.Enqueue(pub.PublishAsync(channelOf((int)(i % topics)), body));
            if (pending.Count >= MaxPending)
            {
                await pending.Dequeue();
            }
        }

        await Task.WhenAll(pending);
        await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        var elapsed = started.Elapsed;
        var outOfOrder = 0L;
        var highest = -1L;
        foreach (var sequence in arrivals)
        {
            if (sequence < highest)
            {
                outOfOrder++;
            }

            highest = Math.Max(highest, sequence);
        }

        foreach (var queue in queues)
        {
            await queue.UnsubscribeAsync();
        }

        report.WriteLine(
            $"| {design} | {distinct.Length:N0} | {subscribing.Elapsed.TotalMilliseconds:N0} ms | {received:N0}/{count:N0} in {elapsed.TotalSeconds:0.00} s | " +
            $"**{received / elapsed.TotalSeconds:N0} msg/s** | {outOfOrder:N0} ({100.0 * outOfOrder / Math.Max(1, received):0.#} %) | {notes} |");
    }

    /// <summary>SUBSCRIBE then UNSUBSCRIBE of <paramref name="count"/> new channels (pipelined): what per-topic routing costs per joining topic.</summary>
    private static async Task ChurnAsync(TextWriter report, ConnectionMultiplexer connection, string prefix, int count)
    {
        var subscriber = connection.GetSubscriber();
        var channels = Enumerable.Range(0, count).Select(i => RedisChannel.Literal($"{prefix}:churn:{Guid.NewGuid():N}")).ToArray();
        var subscribe = Stopwatch.StartNew();
        var queues = await Task.WhenAll(channels.Select(c => subscriber.SubscribeAsync(c)));
        subscribe.Stop();
        var unsubscribe = Stopwatch.StartNew();
        await Task.WhenAll(queues.Select(q => q.UnsubscribeAsync()));
        unsubscribe.Stop();
        report.WriteLine();
        report.WriteLine("| per-topic churn | subscribe | unsubscribe |");
        report.WriteLine("|---|---|---|");
        report.WriteLine(
            $"| {count:N0} new channels | **{count / subscribe.Elapsed.TotalSeconds:N0}/s** ({subscribe.Elapsed.TotalSeconds:0.00} s) | " +
            $"**{count / unsubscribe.Elapsed.TotalSeconds:N0}/s** ({unsubscribe.Elapsed.TotalSeconds:0.00} s) |");
    }

    private static int Shard(int topic, int shards) =>
        (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes($"room:{topic}")) % (uint)shards);
}
