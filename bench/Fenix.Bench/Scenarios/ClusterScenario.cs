using System.Diagnostics;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// Many connections on one machine: K Fenix nodes (bench servers, each its own process, ≤ 19,000 connections each under
/// the 20,000 open-file limit) behind one broker (<c>--backend rabbitmq|redis</c>), C connections joined to one topic
/// spread evenly over them from load generators on their own source addresses. Node 0 broadcasts; each broadcast
/// reaches its own subscribers locally and the others' through the broker. Reports time to reach all, server CPU per
/// delivery (all nodes; net of the idle heartbeat load measured just before), per node (node 0's deliveries are local,
/// the others' remote), memory per connection, and broker load (its CPU, messages through it).
/// </summary>
internal sealed class ClusterScenario : IScenario
{
    private const string Topic = "fanout:all";

    public string Name => "cluster";

    public IReadOnlyList<string> Servers => ["fenix"];

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var connections = settings.Pick(settings.Connections, 60_000, 6_000);
        var nodes = settings.Nodes > 0 ? settings.Nodes : Math.Max(settings.Quick ? 2 : 4, (connections + 17_999) / 18_000);
        var broadcasts = settings.Pick(settings.Messages, 10, 5);
        var rate = settings.Pick(settings.PacedRate, 1, 2);
        var size = settings.Pick(settings.Size, 128, 128);
        if (connections / nodes > 19_000)
        {
            throw new InvalidOperationException($"{connections:N0} connections over {nodes} nodes exceed 19,000 per node (open-file limit 20,000): add --nodes.");
        }

        await using var broker = await BrokerUnderTest.StartAsync(settings.Backend, settings.BrokerUri);
        var prefix = $"fenix-bench-{Guid.NewGuid().ToString("N")[..8]}";
        var sut = new List<ServerUnderTest>();
        try
        {
            for (var i = 0; i < nodes; i++)
            {
                sut.Add(await ServerUnderTest.StartAsync("fenix", settings.Gc, settings.TraceFor($"node{i}"), port: null, [.. broker.NodeArguments(prefix, $"bench-node-{i}")]));
            }

            return [await MeasureAsync(sut, broker, connections, broadcasts, rate, size, settings)];
        }
        finally
        {
            foreach (var node in sut)
            {
                await node.DisposeAsync();
            }
        }
    }

    private async Task<RunResult> MeasureAsync(List<ServerUnderTest> sut, BrokerUnderTest broker, int connections, int broadcasts, double rate, int size, ScenarioSettings settings)
    {
        var nodes = sut.Count;
        await Task.Delay(TimeSpan.FromSeconds(2)); // let the nodes bind their broker queues
        var empty = await Task.WhenAll(sut.Select(s => s.StatsAsync()));
        var emptyRss = sut.Select(s => s.Memory().Rss).ToArray();
        await using var fleet = LoadGenFleet.Start(connections, Math.Max(settings.LoadGens, nodes), multipleOf: nodes);
        Measure.Say($"cluster: {connections:N0} connections over {nodes} nodes ({settings.Backend} at {broker.Address}) from {fleet.Count} load generators");
        var start = Stopwatch.GetTimestamp();
        var connect = await fleet.ConnectAsync("fenix", sut.Select(s => s.BaseUrl).ToArray(), connections, Topic, options: new ConnectOptions(JoinTimeout: TimeSpan.FromMinutes(2)));
        var n = connect.Ok;
        Measure.Say($"cluster: {n:N0} joined, {connect.Failed:N0} failed in {connect.Seconds:0.0} s ({n / Math.Max(connect.Seconds, 1e-9):N0}/s){(connect.FirstError is null ? "" : $", first error: {connect.FirstError}")}");

        // Warm-up, and proof that the nodes form one cluster: one broadcast from node 0 must reach every node's clients.
        var warm = await BroadcastAsync(sut[0], fleet, 1, size, rate, n);
        if (warm.Received < n)
        {
            throw new InvalidOperationException(
                $"A broadcast from node 0 reached {warm.Received:N0} of {n:N0} clients: are the nodes clustered ({settings.Backend} at {broker.Address}; see {sut[^1].LogPath})?");
        }

        // The idle load (heartbeats of every client) over a window as long as the measured one, to subtract.
        var windowSeconds = broadcasts / rate;
        var idleCpu0 = sut.Select(s => s.CpuMicros()).ToArray();
        var idleStart = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(windowSeconds, 10)));
        var idleRate = sut.Select((s, i) => (s.CpuMicros() - idleCpu0[i]) / Measure.Elapsed(idleStart)).ToArray();

        var counters0 = await Task.WhenAll(sut.Select(s => s.RawCountersAsync()));
        var cpu0 = sut.Select(s => s.CpuMicros()).ToArray();
        var brokerCpu0 = broker.CpuMicros();
        var windowStart = Stopwatch.GetTimestamp();
        FleetReport report;
        await using (DuringCommand.Start(settings.During, sut[0], windowSeconds))
        {
            report = await BroadcastAsync(sut[0], fleet, broadcasts, size, rate, n);
        }

        var window = Measure.Elapsed(windowStart);
        var cpu = sut.Select((s, i) => s.CpuMicros() - cpu0[i]).ToArray();
        var brokerCpu = broker.CpuMicros() - brokerCpu0;
        var counters1 = await Task.WhenAll(sut.Select(s => s.RawCountersAsync()));
        var perNode = report.Received / (double)nodes;
        var netCpu = cpu.Select((c, i) => Math.Max(0, c - (idleRate[i] * window))).ToArray();
        var (reachP50, reachMax, missing) = Measure.ReachAll(report.SeqMaxMicros);
        var rss = sut.Select(s => s.Memory()).ToArray();
        var held = await Task.WhenAll(sut.Select(s => s.StatsAsync()));
        foreach (var node in sut)
        {
            Measure.EnsureAlive(node);
        }

        await Measure.HoldAsync(sut[0], settings);
        long Delta(string name) => counters1.Select((c, i) => c.GetValueOrDefault(name) - counters0[i].GetValueOrDefault(name)).Sum();
        Measure.Say($"cluster: {broadcasts} broadcasts, {report.Received:N0}/{(long)broadcasts * n:N0} deliveries, reach all p50 {reachP50:0.0} ms, max {reachMax:0.0} ms");
        return new RunResult
        {
            Scenario = Name,
            Server = "fenix",
            Connections = n,
            DeliveriesPerS = null,
            P50Ms = Measure.Ms(report.Latency.Percentile(50)),
            P99Ms = Measure.Ms(report.Latency.Percentile(99)),
            CpuUsPerDelivery = Measure.PerUnit((long)netCpu.Sum(), report.Received),
            BytesPerConnection = (double)rss.Select((m, i) => m.Rss - emptyRss[i]).Sum() / Math.Max(1, n),
            Seconds = Measure.Elapsed(start),
            Extra =
            {
                ["variant"] = $"{nodes} nodes, {settings.Backend}",
                ["nodes"] = nodes,
                ["backend"] = settings.Backend,
                ["failed"] = connect.Failed,
                ["connect_per_s"] = n / Math.Max(connect.Seconds, 1e-9),
                ["broadcasts"] = broadcasts,
                ["deliveries"] = report.Received,
                ["delivery_ratio"] = (double)report.Received / Math.Max(1, (long)broadcasts * n),
                ["reach_all_p50_ms"] = reachP50,
                ["reach_all_max_ms"] = reachMax,
                ["broadcasts_never_received"] = missing,
                ["cpu_us_per_delivery_gross"] = Measure.PerUnit(cpu.Sum(), report.Received),
                ["cpu_us_per_delivery_node0_local"] = perNode > 0 ? netCpu[0] / perNode : null,
                ["cpu_us_per_delivery_remote_nodes"] = nodes > 1 && perNode > 0 ? netCpu.Skip(1).Average() / perNode : null,
                ["idle_cpu_us_per_s_all_nodes"] = idleRate.Sum(),
                ["bytes_per_connection_after_gc"] = (double)held.Select((h, i) => h.Rss - empty[i].Rss).Sum() / Math.Max(1, n),
                ["rss_bytes_per_node"] = rss.Select(m => m.Rss).ToArray(),
                ["broker_cpu_us"] = brokerCpu,
                ["broker_cpu_us_per_broadcast"] = (double)brokerCpu / broadcasts,
                ["broker_rss_bytes"] = broker.Rss(),
                ["broker_messages_published"] = Delta("broker_published"),
                ["broker_batches"] = Delta("broker_batches"),
                ["broker_messages_received"] = Delta("broker_received"),
                ["broker_dropped"] = Delta("broker_dropped"),
                ["window_seconds"] = window,
            },
        };
    }

    /// <summary>Node <paramref name="publisher"/> broadcasts <paramref name="count"/> messages at <paramref name="rate"/>/s; waits until all <paramref name="subscribers"/> got them (or it stalls).</summary>
    private static async Task<FleetReport> BroadcastAsync(ServerUnderTest publisher, LoadGenFleet fleet, int count, int size, double rate, int subscribers)
    {
        await fleet.ResetAsync(count);
        using var publishing = new CancellationTokenSource(TimeSpan.FromSeconds(120 + (count / rate)));
        await publisher.BroadcastAsync(Topic, count, size, (long)(1_000_000 / rate), publishing.Token);
        var expected = (long)subscribers * count;
        await fleet.WaitAsync(p => p.Received >= expected, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2));
        return await fleet.ReportAsync();
    }
}
