using System.Diagnostics;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// N connections, each joined to one topic (SignalR: in a group; bare WebSocket: connected), held. Reports the server's
/// resident and managed memory per connection after a full compacting GC, minus the empty server's, and the
/// connect+join rate and latency.
/// </summary>
internal sealed class IdleScenario : IScenario
{
    public string Name => "idle";

    public IReadOnlyList<string> Servers => Measure.AllServers;

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var connections = settings.Pick(settings.Connections, 10_000, 1_000);
        var settle = TimeSpan.FromSeconds(settings.Quick ? 1 : 3);
        await using var sut = await ServerUnderTest.StartAsync(server, settings.Gc, settings.TraceFor(server));
        await Task.Delay(settle);
        var empty = await sut.StatsAsync();
        await using var fleet = LoadGenFleet.Start(connections, settings.LoadGens);

        var cpuBefore = sut.CpuMicros();
        var start = Stopwatch.GetTimestamp();
        Measure.Say($"idle/{server}: connecting {connections:N0} from {fleet.Count} load generators");
        var connect = await fleet.ConnectAsync(server, sut.BaseUrl, connections, "idle:all");
        var cpuConnect = sut.CpuMicros() - cpuBefore;
        Measure.Say($"idle/{server}: {connect.Ok:N0} joined, {connect.Failed:N0} failed in {connect.Seconds:0.00} s{(connect.FirstError is null ? "" : $" (first error: {connect.FirstError})")}");

        var cpuHeld = sut.CpuMicros();
        await Task.Delay(settle);
        var idleCpuPerSecond = (sut.CpuMicros() - cpuHeld) / settle.TotalSeconds;
        var held = await sut.StatsAsync();
        var (_, peak) = sut.Memory();
        Measure.EnsureAlive(sut);
        await Measure.HoldAsync(sut, settings);
        var joined = Math.Max(1, connect.Ok);
        return
        [
            new RunResult
            {
                Scenario = Name,
                Server = server,
                Connections = connect.Ok,
                P50Ms = Measure.Ms(connect.Latency.Percentile(50)),
                P99Ms = Measure.Ms(connect.Latency.Percentile(99)),
                BytesPerConnection = (double)(held.Rss - empty.Rss) / joined,
                Seconds = Measure.Elapsed(start),
                Extra =
                {
                    ["latency_kind"] = "connect_join",
                    ["failed"] = connect.Failed,
                    ["connect_join_per_s"] = connect.Ok / Math.Max(connect.Seconds, 1e-9),
                    ["managed_bytes_per_connection"] = (double)(held.Managed - empty.Managed) / joined,
                    ["cpu_us_per_connect_join"] = (double)cpuConnect / joined,
                    ["idle_cpu_us_per_s"] = idleCpuPerSecond,
                    ["empty_rss_bytes"] = empty.Rss,
                    ["held_rss_bytes"] = held.Rss,
                    ["peak_rss_bytes"] = peak,
                    ["empty_managed_bytes"] = empty.Managed,
                    ["held_managed_bytes"] = held.Managed,
                    ["gc_server"] = held.ServerGc,
                    ["gc_heap_count"] = held.HeapCount,
                },
            },
        ];
    }
}
