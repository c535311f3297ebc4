using System.Diagnostics;
using Fenix.PubSub;

namespace Fenix.Bench.Cluster;

/// <summary>The measurements, each on fresh nodes of one broker prefix. Every loop is bounded in count and time.</summary>
internal sealed class Scenarios(BenchBackend backend, string prefix, TextWriter report)
{
    private const int PayloadBytes = 100;

    /// <summary>Broadcasts at a steady rate from node A to a subscriber on node B; latency from send to delivery.</summary>
    public async Task LatencyAsync(int ratePerSecond, TimeSpan duration)
    {
        await using var a = await BenchNode.StartAsync(backend, prefix, "latency-a");
        await using var b = await BenchNode.StartAsync(backend, prefix, "latency-b");
        var total = (int)(ratePerSecond * duration.TotalSeconds);
        var recorder = new LatencyRecorder(total);
        b.PubSub.Subscribe("bench:latency", recorder);
        await b.FlushTopologyAsync();
        await SendPacedAsync(a.PubSub, "bench:latency", Math.Max(100, ratePerSecond / 10), ratePerSecond); // warm-up
        await WaitForAsync(() => recorder.Count >= Math.Max(100, ratePerSecond / 10), TimeSpan.FromSeconds(10));
        recorder.Reset();

        await SendPacedAsync(a.PubSub, "bench:latency", total, ratePerSecond);
        await WaitForAsync(() => recorder.Count >= total, TimeSpan.FromSeconds(30));
        report.WriteLine(
            $"| {backend.Label}: latency, {ratePerSecond:N0} msg/s × {duration.TotalSeconds:0} s | {recorder.Count:N0}/{total:N0} | " +
            $"{recorder.PercentileMicroseconds(50):N0} | {recorder.PercentileMicroseconds(90):N0} | {recorder.PercentileMicroseconds(99):N0} | " +
            $"{recorder.PercentileMicroseconds(100):N0} | dropped {a.Counters.Dropped} |");
    }

    /// <summary>Node A broadcasts <paramref name="count"/> messages as fast as its outgoing queue takes them; node B counts.</summary>
    public async Task ThroughputAsync(int count, int topics)
    {
        await using var a = await BenchNode.StartAsync(backend, prefix, "throughput-a");
        await using var b = await BenchNode.StartAsync(backend, prefix, "throughput-b");
        var recorder = new LatencyRecorder(count);
        var names = Enumerable.Range(0, topics).Select(i => $"bench:throughput:{i}").ToArray();
        foreach (var name in names)
        {
            b.PubSub.Subscribe(name, recorder);
        }

        await b.FlushTopologyAsync();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            // Stay under the outgoing bound (16 MB) so that the number measures the pipe, not the drop path.
            for (var spins = 0; a.Counters.Published < i - 50_000 && spins < 100_000; spins++)
            {
                await Task.Yield();
            }

            a.PubSub.Broadcast(names[i % topics], new StampedMessage(Stopwatch.GetTimestamp(), PayloadBytes));
        }

        var sent = started.Elapsed;
        await WaitForAsync(() => recorder.Count >= count, TimeSpan.FromSeconds(60));
        var elapsed = started.Elapsed;
        var counters = a.Counters;
        report.WriteLine(
            $"| {backend.Label}: throughput, {count:N0} × {PayloadBytes} B over {topics:N0} topic(s) | {recorder.Count:N0} in {elapsed.TotalSeconds:0.00} s " +
            $"(sent in {sent.TotalSeconds:0.00} s) | **{recorder.Count / elapsed.TotalSeconds:N0} msg/s** | " +
            $"{(double)counters.Published / Math.Max(1, counters.Batches):0.0} msgs per broker message | p50 {recorder.PercentileMicroseconds(50) / 1000:N1} ms, " +
            $"p99 {recorder.PercentileMicroseconds(99) / 1000:N1} ms | dropped {counters.Dropped} |");
    }

    /// <summary>One node subscribes <paramref name="count"/> new topics, then unsubscribes them: broker bindings per second.</summary>
    public async Task BindingChurnAsync(int count)
    {
        await using var node = await BenchNode.StartAsync(backend, prefix, "churn");
        var subscriber = new LatencyRecorder(1);
        var names = Enumerable.Range(0, count).Select(i => $"bench:churn:{Guid.NewGuid():N}").ToArray();

        var bind = Stopwatch.StartNew();
        foreach (var name in names)
        {
            node.PubSub.Subscribe(name, subscriber);
        }

        await node.FlushTopologyAsync();
        bind.Stop();

        var unbind = Stopwatch.StartNew();
        foreach (var name in names)
        {
            node.PubSub.Unsubscribe(name, subscriber);
        }

        await node.FlushTopologyAsync();
        unbind.Stop();

        report.WriteLine(
            $"| {backend.Label}: binding churn, {count:N0} topics | bind: **{count / bind.Elapsed.TotalSeconds:N0}/s** ({bind.Elapsed.TotalSeconds:0.00} s) | " +
            $"unbind: **{count / unbind.Elapsed.TotalSeconds:N0}/s** ({unbind.Elapsed.TotalSeconds:0.00} s) |  |");
    }

    private static async Task SendPacedAsync(FenixPubSub pubSub, string topic, int count, int ratePerSecond)
    {
        var started = Stopwatch.GetTimestamp();
        for (var sent = 0; sent < count;)
        {
            var due = (int)Math.Min(count, Stopwatch.GetElapsedTime(started).TotalSeconds * ratePerSecond + 1);
            for (; sent < due; sent++)
            {
                pubSub.Broadcast(topic, new StampedMessage(Stopwatch.GetTimestamp(), PayloadBytes));
            }

            await Task.Delay(1);
        }
    }

    private static async Task WaitForAsync(Func<bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!done() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(5);
        }
    }
}
