using System.Diagnostics;
using Fenix.Bench.LoadGen;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// N connections, each joined to one topic (SignalR: in a group; bare WebSocket: connected; <c>--no-join</c>: socket
/// only, the independent harness's shape for samples/Chat, whose one room tracks presence), held, on a fresh server.
/// Reports resident memory per connection as the harness measures it — RSS from /proc with the connections held minus
/// the empty server's, no GC forced — and, for the bench servers, the same after a full compacting GC and the managed
/// heap; the connect(+join) rate and latency; idle CPU.
/// </summary>
internal sealed class IdleScenario : IScenario
{
    public string Name => "idle";

    /// <summary>With fenix-direct: the same Fenix server with its WebSockets on UseFenixWebSockets, below Kestrel's HTTP stack.</summary>
    public IReadOnlyList<string> Servers => ["fenix", "fenix-direct", "chat", "signalr", "kestrel-ws"];

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var connections = settings.Pick(settings.Connections, 10_000, 1_000);
        var settle = TimeSpan.FromSeconds(settings.Quick ? 1 : 3);

        // samples/Chat's only room tracks presence: a held room of thousands is the presence scenario, not idle.
        var noJoin = settings.NoJoin || server == "chat";
        await using var sut = await ServerUnderTest.StartAsync(server, settings.Gc, settings.TraceFor(server));
        await Task.Delay(settle);
        var emptyRss = sut.Memory().Rss;
        var empty = await sut.StatsAsync();
        await using var fleet = LoadGenFleet.Start(connections, settings.LoadGens);

        var cpuBefore = sut.CpuMicros();
        var loadGenCpuBefore = fleet.CpuMicros();
        var start = Stopwatch.GetTimestamp();
        Measure.Say($"idle/{server}: {(noJoin ? "connecting" : "connecting and joining")} {connections:N0} from {fleet.Count} load generators");
        var connect = await fleet.ConnectAsync(Measure.WireFor(server), sut.BaseUrl, connections, "idle:all", options: new ConnectOptions(NoJoin: noJoin, Lean: settings.LeanClient));
        var loadGenCpu = fleet.CpuMicros() - loadGenCpuBefore;
        var cpuConnect = sut.CpuMicros() - cpuBefore;
        Measure.Say($"idle/{server}: {connect.Ok:N0} connected, {connect.Failed:N0} failed in {connect.Seconds:0.00} s{(connect.FirstError is null ? "" : $" (first error: {connect.FirstError})")}");

        var cpuHeld = sut.CpuMicros();
        await Task.Delay(settle);
        var idleCpuPerSecond = (sut.CpuMicros() - cpuHeld) / settle.TotalSeconds;
        var heldRss = sut.Memory().Rss;
        var held = await sut.StatsAsync();
        var (_, peak) = sut.Memory();
        Measure.EnsureAlive(sut);
        await Measure.HoldAsync(sut, settings);
        var joined = Math.Max(1, connect.Ok);
        var result = new RunResult
        {
            Scenario = Name,
            Server = server,
            Connections = connect.Ok,
            P50Ms = Measure.Ms(connect.Latency.Percentile(50)),
            P99Ms = Measure.Ms(connect.Latency.Percentile(99)),
            BytesPerConnection = (double)(heldRss - emptyRss) / joined,
            Seconds = Measure.Elapsed(start),
            Extra =
            {
                ["joined"] = !noJoin,
                ["latency_kind"] = noJoin ? "connect" : "connect_join",
                ["memory_kind"] = "rss_no_forced_gc",
                ["failed"] = connect.Failed,
                ["connect_per_s"] = connect.Ok / Math.Max(connect.Seconds, 1e-9),
                ["cpu_us_per_connect"] = (double)cpuConnect / joined,
                ["loadgen_cpu_us_per_connect"] = (double)loadGenCpu / joined,
                ["client"] = settings.LeanClient && LeanConnector.Supports(WireProtocol.For(Measure.WireFor(server))) ? "lean" : "websocket",
                ["idle_cpu_us_per_s"] = idleCpuPerSecond,
                ["empty_rss_bytes"] = emptyRss,
                ["held_rss_bytes"] = heldRss,
                ["peak_rss_bytes"] = peak,
                ["peak_bytes_per_connection"] = (double)(peak - emptyRss) / joined,
            },
        };
        if (settings.NoJoin)
        {
            // samples/Chat never joins here; the bench servers only with --no-join, a different run to compare.
            result.Extra["variant"] = "connect only";
        }

        if (sut.HasBenchEndpoints)
        {
            result.Extra["bytes_per_connection_after_gc"] = (double)(held.Rss - empty.Rss) / joined;
            result.Extra["managed_bytes_per_connection"] = (double)(held.Managed - empty.Managed) / joined;
            result.Extra["empty_managed_bytes"] = empty.Managed;
            result.Extra["held_managed_bytes"] = held.Managed;
            result.Extra["gc_server"] = held.ServerGc;
            result.Extra["gc_heap_count"] = held.HeapCount;
        }

        return [result];
    }
}
