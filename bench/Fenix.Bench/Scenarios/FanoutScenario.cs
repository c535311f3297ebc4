using System.Diagnostics;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// N subscribers on one topic; the server broadcasts from inside (its own API). A burst of M messages back to back
/// gives deliveries/s and server CPU per delivery; then a paced run (below saturation) gives publish→receive latency
/// and the time for one broadcast to reach all N.
/// </summary>
internal sealed class FanoutScenario : IScenario
{
    private const string Topic = "fanout:all";

    public string Name => "fanout";

    public IReadOnlyList<string> Servers => Measure.AllServers;

    public IReadOnlyList<string> NamedOnlyServers => Measure.WithHistory;

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var subscribers = settings.Pick(settings.Connections, 10_000, 1_000);
        var messages = settings.Pick(settings.Messages, 200, 100);
        var size = settings.Pick(settings.Size, 128, 128);
        var pacedRate = settings.Pick(settings.PacedRate, 10, 20);
        var pacedMessages = settings.Pick(settings.PacedMessages, 100, 40);
        var stall = TimeSpan.FromSeconds(5);

        await using var sut = await ServerUnderTest.StartAsync(server, settings.Gc, settings.TraceFor(server));
        await using var fleet = LoadGenFleet.Start(subscribers, settings.LoadGens);
        var connect = await fleet.ConnectAsync(Measure.WireFor(server), sut.BaseUrl, subscribers, Topic);
        var n = connect.Ok;
        Measure.Say($"fanout/{server}: {n:N0} subscribers ({connect.Failed} failed) in {connect.Seconds:0.00} s");

        // Warm-up, so the JIT's tiering and the pools are done before measuring, on both write paths (a burst's queued
        // writers, a paced broadcast's inline writes): a method called once per broadcast is promoted after 30 calls
        // twice (instrumented, then optimized), each time after a quiet 100 ms, so the 20 broadcasts this once was left
        // the per-broadcast path (and the longer one of a history topic) in its first tiers for part of the burst.
        await RunPhaseAsync(sut, fleet, n, count: 100, size, intervalMicros: 0, stall);
        await RunPhaseAsync(sut, fleet, n, count: 100, size, intervalMicros: 10_000, stall);
        await Task.Delay(TimeSpan.FromSeconds(1));

        var start = Stopwatch.GetTimestamp();
        var counters0 = await sut.CountersAsync();
        var cpu0 = sut.CpuMicros();
        var split0 = ProcStat.CpuSplitMicros(sut.Pid);
        FleetReport burst;
        await using (DuringCommand.Start(settings.During, sut, seconds: 10))
        {
            burst = await RunPhaseAsync(sut, fleet, n, messages, size, intervalMicros: 0, stall);
        }

        var burstCpu = sut.CpuMicros() - cpu0;
        var split1 = ProcStat.CpuSplitMicros(sut.Pid);
        var burstCounters = await sut.CountersAsync() - counters0;
        Measure.Say($"fanout/{server}: burst {burst.Received:N0}/{(long)n * messages:N0} delivered in {burst.Span:0.000} s");

        var cpu1 = sut.CpuMicros();
        var paced = await RunPhaseAsync(sut, fleet, n, pacedMessages, size, (long)(1_000_000 / pacedRate), stall);
        var pacedCpu = sut.CpuMicros() - cpu1;
        var (reachP50, reachMax, missing) = Measure.ReachAll(paced.SeqMaxMicros);
        var (_, peak) = sut.Memory();
        Measure.EnsureAlive(sut);
        await Measure.HoldAsync(sut, settings);
        var result = new RunResult
        {
            Scenario = Name,
            Server = server,
            Connections = n,
            DeliveriesPerS = burst.Span > 0 ? burst.Received / burst.Span : null,
            P50Ms = Measure.Ms(paced.Latency.Percentile(50)),
            P99Ms = Measure.Ms(paced.Latency.Percentile(99)),
            CpuUsPerDelivery = Measure.PerUnit(burstCpu, burst.Received),
            Seconds = Measure.Elapsed(start),
            Extra =
                {
                    ["message_bytes"] = size,
                    ["burst_messages"] = messages,
                    ["burst_deliveries"] = burst.Received,
                    ["burst_expected"] = (long)n * messages,
                    ["burst_seconds"] = burst.Span,
                    ["user_us_per_delivery"] = Measure.PerUnit(split1.User - split0.User, burst.Received),
                    ["system_us_per_delivery"] = Measure.PerUnit(split1.System - split0.System, burst.Received),
                    ["burst_p50_ms"] = Measure.Ms(burst.Latency.Percentile(50)),
                    ["burst_p99_ms"] = Measure.Ms(burst.Latency.Percentile(99)),
                    ["paced_rate_per_s"] = pacedRate,
                    ["paced_messages"] = pacedMessages,
                    ["paced_deliveries"] = paced.Received,
                    ["paced_cpu_us_per_delivery"] = Measure.PerUnit(pacedCpu, paced.Received),
                    ["reach_all_p50_ms"] = reachP50,
                    ["reach_all_max_ms"] = reachMax,
                    ["broadcasts_never_received"] = missing,
                    ["dropped_connections"] = paced.Dropped,
                    ["peak_rss_bytes"] = peak,
                },
        };
        burstCounters.AddTo(result.Extra, burst.Received);
        return [result];
    }

    /// <summary>Resets the counters, has the server publish, and waits until every subscriber got every message (or stalls).</summary>
    private static async Task<FleetReport> RunPhaseAsync(ServerUnderTest sut, LoadGenFleet fleet, int subscribers, int count, int size, long intervalMicros, TimeSpan stall)
    {
        await fleet.ResetAsync(count);
        var expected = (long)subscribers * count;
        var timeout = TimeSpan.FromSeconds(60 + (count * intervalMicros / 1_000_000.0));
        using var publishing = new CancellationTokenSource(timeout);
        var publish = sut.BroadcastAsync(Topic, count, size, intervalMicros, publishing.Token);
        await fleet.WaitAsync(p => p.Received >= expected, stall, timeout);
        await publish;
        return await fleet.ReportAsync();
    }
}
