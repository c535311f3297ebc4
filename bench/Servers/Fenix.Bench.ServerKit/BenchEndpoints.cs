using System.Diagnostics;
using System.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix.Bench.ServerKit;

/// <summary>The HTTP endpoints through which the bench tool measures and drives a server under test.</summary>
internal static class BenchEndpoints
{
    /// <summary>Upper bounds on one broadcast request, so a typo cannot keep the server busy for hours.</summary>
    private const int MaxCount = 1_000_000;
    private const int MaxSize = 1024 * 1024;
    private static readonly TimeSpan MaxPublishTime = TimeSpan.FromMinutes(5);

    public static void Map(WebApplication app, string serverName)
    {
        app.MapGet("/bench/ping", () => Results.Text("pong"));
        app.MapGet("/bench/stats", () => Results.Json(Stats(serverName)));
        app.MapGet("/bench/counters", (IServiceProvider services) => Results.Json(Counters(services.GetServices<IBenchCounterSource>())));
        app.MapPost("/bench/broadcast", (Delegate)BroadcastAsync);
    }

    /// <summary>Memory after a full blocking compacting collection, so what is left is what the connections hold.</summary>
    private static Dictionary<string, object> Stats(string serverName)
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var (rss, peak) = ProcessMemory.Read();
        var config = GC.GetConfigurationVariables();
        return new Dictionary<string, object>
        {
            ["server"] = serverName,
            ["rss_bytes"] = rss,
            ["peak_rss_bytes"] = peak,
            ["managed_bytes"] = GC.GetTotalMemory(forceFullCollection: false),
            ["heap_size_bytes"] = info.HeapSizeBytes,
            ["committed_bytes"] = info.TotalCommittedBytes,
            ["gc_server"] = GCSettings.IsServerGC,
            ["gc_concurrent"] = config.TryGetValue("Concurrent", out var concurrent) ? concurrent : false,
            ["gc_heap_count"] = config.TryGetValue("HeapCount", out var heaps) ? heaps : 1,
            ["threads"] = Process.GetCurrentProcess().Threads.Count,
            ["thread_pool_threads"] = ThreadPool.ThreadCount,
        };
    }

    /// <summary>Cumulative runtime counters, read without disturbing the server (no GC): the bench subtracts two readings.</summary>
    private static Dictionary<string, long> Counters(IEnumerable<IBenchCounterSource> sources)
    {
        var counters = RuntimeCounters();
        foreach (var source in sources)
        {
            foreach (var (name, value) in source.Read())
            {
                counters[name] = value;
            }
        }

        return counters;
    }

    private static Dictionary<string, long> RuntimeCounters() => new()
    {
        ["allocated_bytes"] = GC.GetTotalAllocatedBytes(precise: true),
        ["gen0_collections"] = GC.CollectionCount(0),
        ["gen1_collections"] = GC.CollectionCount(1),
        ["gen2_collections"] = GC.CollectionCount(2),
        ["lock_contentions"] = Monitor.LockContentionCount,
        ["thread_pool_work_items"] = ThreadPool.CompletedWorkItemCount,
        ["gc_pause_ms"] = (long)GC.GetTotalPauseDuration().TotalMilliseconds,
    };

    /// <summary>
    /// <c>POST /bench/broadcast?topic=T&amp;count=M&amp;size=S&amp;interval_us=I</c>: publishes M messages of about S bytes
    /// through the server's own broadcast API, one every I µs (0: back to back), and answers when done.
    /// </summary>
    private static async Task<IResult> BroadcastAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var topic = query["topic"].ToString();
        if (topic.Length == 0
            || !int.TryParse(query["count"], out var count) || count is < 1 or > MaxCount
            || !int.TryParse(query["size"], out var size) || size is < 0 or > MaxSize)
        {
            return Results.BadRequest("expected topic, count (1..1000000) and size (0..1048576)");
        }

        _ = long.TryParse(query["interval_us"], out var intervalMicros);
        var publisher = context.RequestServices.GetRequiredService<IBenchPublisher>();
        var body = BenchMessage.PaddingFor(size);
        var interval = Stopwatch.Frequency * Math.Max(0, intervalMicros) / 1_000_000;
        var start = Stopwatch.GetTimestamp();
        var published = 0;
        for (; published < count && Stopwatch.GetElapsedTime(start) < MaxPublishTime; published++)
        {
            if (interval > 0)
            {
                await WaitUntilAsync(start + (published * interval), context.RequestAborted);
            }

            await publisher.PublishAsync(topic, new BenchMessage(Stopwatch.GetTimestamp(), published, body));
        }

        return Results.Json(new Dictionary<string, object>
        {
            ["published"] = published,
            ["seconds"] = Stopwatch.GetElapsedTime(start).TotalSeconds,
        });
    }

    /// <summary>Waits for a due time on a fixed schedule (so pacing does not drift with the publish cost).</summary>
    private static async Task WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
