using System.Diagnostics;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// Many connections on one machine: K Fenix nodes (bench servers, each its own process, ≤ 19,000 connections each under
/// the 20,000 open-file limit) behind one broker (<c>--backend rabbitmq|redis</c>), C connections joined to one topic
/// spread evenly over them from load generators on their own source addresses. Node 0 broadcasts: a few single
/// broadcasts (time to reach everyone, one at a time), then a paced series. Each broadcast reaches its own subscribers
/// locally and the others' through the broker. Reports time to reach all, server CPU per delivery (all nodes; net of the
/// idle heartbeat load measured just before), per node (node 0's deliveries are local, the others' remote), memory per
/// connection, broker load (its CPU; with Redis its own message and byte counters), the load generators' share of the
/// machine, and a counted delivery check: every connection got every broadcast exactly once.
/// </summary>
internal sealed class ClusterScenario : IScenario
{
    private const string Topic = "fanout:all";

    private const string WorkItemsCounter = "thread_pool_work_items";

    private const string AllocatedCounter = "allocated_bytes";

    public string Name => "cluster";

    public IReadOnlyList<string> Servers => ["fenix"];

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var connections = settings.Pick(settings.Connections, 60_000, 600);
        var nodes = settings.Nodes > 0 ? settings.Nodes : Math.Max(settings.Quick ? 3 : 4, (connections + 17_999) / 18_000);
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
                sut.Add(await ServerUnderTest.StartAsync("fenix", settings.Gc, settings.TraceFor($"node{i}"), port: null, [.. broker.NodeArguments(prefix, $"{prefix}-node-{i}")]));
            }

            return [await MeasureAsync(sut, broker, prefix, connections, settings)];
        }
        finally
        {
            foreach (var node in sut)
            {
                await node.DisposeAsync();
            }
        }
    }

    private async Task<RunResult> MeasureAsync(List<ServerUnderTest> sut, BrokerUnderTest broker, string prefix, int connections, ScenarioSettings settings)
    {
        var nodes = sut.Count;
        var broadcasts = settings.Pick(settings.Messages, 20, 5);
        var rate = settings.Pick(settings.PacedRate, 1, 2);
        var size = settings.Pick(settings.Size, 128, 128);
        var singles = settings.Quick ? 2 : 3;
        await Task.Delay(TimeSpan.FromSeconds(2)); // let the nodes bind their broker queues
        var empty = await Task.WhenAll(sut.Select(s => s.StatsAsync()));
        var emptyRss = sut.Select(s => s.Memory().Rss).ToArray();
        await using var fleet = LoadGenFleet.Start(connections, Math.Max(settings.LoadGens, nodes), multipleOf: nodes);
        Measure.Say($"cluster: {connections:N0} connections over {nodes} nodes ({settings.Backend} at {broker.Address}) from {fleet.Count} load generators");

        var start = Stopwatch.GetTimestamp();
        var connectCpu = CpuReading.Take(sut, fleet, broker);
        var connect = await fleet.ConnectAsync("fenix", sut.Select(s => s.BaseUrl).ToArray(), connections, Topic, options: new ConnectOptions(JoinTimeout: TimeSpan.FromMinutes(2)));
        var connectUsage = CpuReading.Take(sut, fleet, broker) - connectCpu;
        var n = connect.Ok;
        Measure.Say($"cluster: {n:N0} joined, {connect.Failed:N0} failed in {connect.Seconds:0.0} s ({n / Math.Max(connect.Seconds, 1e-9):N0}/s){(connect.FirstError is null ? "" : $", first error: {connect.FirstError}")}");

        // Warm-up, and proof that the nodes form one cluster: one broadcast from node 0 must reach every node's clients.
        await BroadcastAsync(sut[0], fleet, 1, size, rate, n);
        var warm = await SettledReportAsync(fleet);
        // A broadcast that reaches no more than node 0's own clients means the nodes are not clustered: stop. A shortfall
        // beyond that is measured on (the delivery audit at the end reports it and fails the run).
        if (warm.Received <= n / nodes)
        {
            var dropped = await Task.WhenAll(sut.Select(s => s.RawCountersAsync()));
            throw new InvalidOperationException(
                $"A broadcast from node 0 reached {warm.Received:N0} of {n:N0} clients: are the nodes clustered ({settings.Backend} at {broker.Address}; see {sut[^1].LogPath})? "
                + $"Messages each node's adapter dropped so far: {string.Join(", ", dropped.Select(d => d.GetValueOrDefault("broker_dropped")))}.");
        }

        if (warm.Received != n || warm.Audit.ExactlyOnce != n)
        {
            Measure.Say($"cluster: the warm-up broadcast reached {warm.Received:N0} of {n:N0} ({warm.Audit.ExactlyOnce:N0} exactly once); {warm.Dropped:N0} connections closed{(warm.FirstClose is null ? "" : $", first: {warm.FirstClose}")}");
        }

        // Single broadcasts, one at a time on a quiet cluster: how long until the last of the n clients has it.
        var singleReach = new List<double?>();
        var singleAudits = new List<LoadGen.DeliveryAudit>();
        for (var i = 0; i < singles; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await BroadcastAsync(sut[0], fleet, 1, size, rate, n);
            var single = await SettledReportAsync(fleet);
            singleReach.Add(Measure.ReachAll(single.SeqMaxMicros).Max);
            singleAudits.Add(single.Audit);
        }

        Measure.Say($"cluster: single broadcasts reached all {n:N0} in {string.Join(", ", singleReach.Select(r => $"{r:N0}"))} ms");

        // The idle load (heartbeats of every client, the servers' timers), to subtract. Each client heartbeats once per
        // interval, all of a process's clients in one round: the window spans a whole interval so that it holds one
        // round per load generator, as a long measured window does on average.
        var windowSeconds = broadcasts / rate;
        var idle0 = CpuReading.Take(sut, fleet, broker);
        var idleStart = Stopwatch.GetTimestamp();
        await Task.Delay(LoadGen.WireProtocol.For("fenix").HeartbeatInterval);
        var idle = (CpuReading.Take(sut, fleet, broker) - idle0).PerSecond(Measure.Elapsed(idleStart));

        var counters0 = await Task.WhenAll(sut.Select(s => s.RawCountersAsync()));
        var traffic0 = await broker.TrafficAsync(prefix);
        var cpu0 = CpuReading.Take(sut, fleet, broker);
        var windowStart = Stopwatch.GetTimestamp();
        await using (DuringCommand.Start(settings.During, sut[0], windowSeconds))
        {
            await BroadcastAsync(sut[0], fleet, broadcasts, size, rate, n);
        }

        var window = Measure.Elapsed(windowStart);
        var usage = CpuReading.Take(sut, fleet, broker) - cpu0;
        var traffic = await broker.TrafficAsync(prefix) is { } traffic1 && traffic0 is not null ? traffic1 - traffic0 : null;
        var counters1 = await Task.WhenAll(sut.Select(s => s.RawCountersAsync()));
        var report = await SettledReportAsync(fleet);
        var perNode = report.Received / (double)nodes;
        var netCpu = usage.Nodes.Select((c, i) => Math.Max(0, c - (idle.Nodes[i] * window))).ToArray();
        var (reachP50, reachMax, missing) = Measure.ReachAll(report.SeqMaxMicros);
        var rss = sut.Select(s => s.Memory()).ToArray();
        var loadGenRss = fleet.Rss();
        var held = await Task.WhenAll(sut.Select(s => s.StatsAsync()));
        foreach (var node in sut)
        {
            Measure.EnsureAlive(node);
        }

        await Measure.HoldAsync(sut[0], settings);
        double NodeDelta(int node, string name) => counters1[node].GetValueOrDefault(name) - counters0[node].GetValueOrDefault(name);
        long Delta(string name) => counters1.Select((c, i) => c.GetValueOrDefault(name) - counters0[i].GetValueOrDefault(name)).Sum();
        double Share(double micros, double seconds) => micros / (seconds * 1e6 * Environment.ProcessorCount);
        var exactlyOnce = report.Audit.ExactlyOnce == n && report.Audit.Missing == 0 && report.Audit.Extra == 0
            && singleAudits.All(a => a.ExactlyOnce == n && a.Missing == 0 && a.Extra == 0)
            && warm.Audit.ExactlyOnce == n;
        var verified = exactlyOnce && connect.Failed == 0;
        var redis = settings.Backend == "redis";
        Measure.Say($"cluster: {broadcasts} broadcasts, {report.Received:N0}/{(long)broadcasts * n:N0} deliveries, reach all p50 {reachP50:0.0} ms, max {reachMax:0.0} ms; "
            + $"exactly once on {report.Audit.ExactlyOnce:N0}/{n:N0} connections (missing {report.Audit.Missing:N0}, extra {report.Audit.Extra:N0}), {report.Dropped:N0} closed"
            + $"{(report.FirstClose is null ? "" : $" (first: {report.FirstClose})")}{(verified ? "" : " — DELIVERY CHECK FAILED")}");
        return new RunResult
        {
            Scenario = Name,
            Server = "fenix",
            Connections = n,
            DeliveriesPerS = report.Received / window,
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
                ["load_generators"] = fleet.Count,
                ["verified"] = verified,
                ["failed"] = connect.Failed,
                ["warm_up_exactly_once_connections"] = warm.Audit.ExactlyOnce,
                ["connections_closed"] = report.Dropped,
                ["first_close"] = report.FirstClose,
                ["connect_per_s"] = n / Math.Max(connect.Seconds, 1e-9),
                ["connect_seconds"] = connect.Seconds,
                ["connect_p99_ms"] = Measure.Ms(connect.Latency.Percentile(99)),
                ["connect_server_cpu_us_per_connection"] = Measure.PerUnit(connectUsage.NodesTotal, n),
                ["connect_load_generator_cpu_us_per_connection"] = Measure.PerUnit(connectUsage.LoadGens, n),
                ["single_broadcasts_reach_all_ms"] = singleReach.ToArray(),
                ["single_broadcasts_exactly_once_connections"] = singleAudits.Select(a => a.ExactlyOnce).ToArray(),
                ["broadcasts"] = broadcasts,
                ["broadcast_rate"] = rate,
                ["deliveries"] = report.Received,
                ["delivery_ratio"] = (double)report.Received / Math.Max(1, (long)broadcasts * n),
                ["exactly_once_connections"] = report.Audit.ExactlyOnce,
                ["missing_deliveries"] = report.Audit.Missing,
                ["extra_deliveries"] = report.Audit.Extra,
                ["reach_all_p50_ms"] = reachP50,
                ["reach_all_max_ms"] = reachMax,
                ["broadcasts_never_received"] = missing,
                ["cpu_us_per_delivery_gross"] = Measure.PerUnit(usage.NodesTotal, report.Received),
                ["cpu_us_per_delivery_node0_local"] = perNode > 0 ? netCpu[0] / perNode : null,
                ["cpu_us_per_delivery_remote_nodes"] = nodes > 1 && perNode > 0 ? netCpu.Skip(1).Average() / perNode : null,

                // Counted, not timed (so they survive a loaded machine): the wake-ups and allocations of a local fan-out
                // (node 0) against those of a fan-out of broadcasts that arrived from the broker (the others).
                ["work_items_per_delivery_node0_local"] = perNode > 0 ? NodeDelta(0, WorkItemsCounter) / perNode : null,
                ["work_items_per_delivery_remote_nodes"] = nodes > 1 && perNode > 0 ? Enumerable.Range(1, nodes - 1).Average(i => NodeDelta(i, WorkItemsCounter)) / perNode : null,
                ["alloc_bytes_per_delivery_node0_local"] = perNode > 0 ? NodeDelta(0, AllocatedCounter) / perNode : null,
                ["alloc_bytes_per_delivery_remote_nodes"] = nodes > 1 && perNode > 0 ? Enumerable.Range(1, nodes - 1).Average(i => NodeDelta(i, AllocatedCounter)) / perNode : null,
                ["idle_cpu_us_per_s_all_nodes"] = idle.Nodes.Sum(),
                ["idle_load_generator_cpu_us_per_s"] = idle.LoadGens,
                ["bytes_per_connection_after_gc"] = (double)held.Select((h, i) => h.Rss - empty[i].Rss).Sum() / Math.Max(1, n),
                ["rss_bytes_per_node"] = rss.Select(m => m.Rss).ToArray(),
                ["load_generator_rss_bytes"] = loadGenRss,

                // Who used the machine's cores over the broadcast window (1.0 = every core busy the whole window).
                ["machine_share_servers"] = Share(usage.NodesTotal, window),
                ["machine_share_load_generators"] = Share(usage.LoadGens, window),
                ["machine_share_broker"] = Share(usage.Broker, window),
                ["load_generator_cpu_us_per_delivery"] = Measure.PerUnit(usage.LoadGens, report.Received),
                ["broker_cpu_us"] = usage.Broker,
                ["broker_cpu_us_per_broadcast"] = (double)usage.Broker / broadcasts,
                ["broker_rss_bytes"] = broker.Rss(),
                ["broker_messages_published"] = Delta("broker_published"),
                ["broker_batches"] = Delta("broker_batches"),
                ["broker_messages_received"] = Delta("broker_received"),
                ["broker_dropped"] = Delta("broker_dropped"),

                // The broker's own counters (Redis INFO: PUBLISH calls, bytes in and out, commands; RabbitMQ: the nodes'
                // connections' bytes in and out), per second of window.
                ["broker_publish_calls"] = redis ? traffic?.Messages : null,
                ["broker_publish_per_s"] = redis && traffic is not null ? traffic.Messages / window : null,
                ["broker_bytes_in_per_s"] = traffic is null ? null : traffic.BytesIn / window,
                ["broker_bytes_out_per_s"] = traffic is null ? null : traffic.BytesOut / window,
                ["broker_bytes_out_per_broadcast"] = traffic is null ? null : (double)traffic.BytesOut / broadcasts,
                ["broker_commands"] = redis ? traffic?.Commands : null,
                ["window_seconds"] = window,
            },
        };
    }

    /// <summary>
    /// The load generators' report once late copies would have arrived: a duplicate of a broadcast comes, if ever, right
    /// behind the original (one writer per connection, per-topic order), so a second of quiet lets the audit count it.
    /// </summary>
    private static async Task<FleetReport> SettledReportAsync(LoadGenFleet fleet)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        return await fleet.ReportAsync();
    }

    /// <summary>Node <paramref name="publisher"/> broadcasts <paramref name="count"/> messages at <paramref name="rate"/>/s; waits until all <paramref name="subscribers"/> got them (or it stalls).</summary>
    private static async Task BroadcastAsync(ServerUnderTest publisher, LoadGenFleet fleet, int count, int size, double rate, int subscribers)
    {
        await fleet.ResetAsync(count);
        using var publishing = new CancellationTokenSource(TimeSpan.FromSeconds(120 + (count / rate)));
        await publisher.BroadcastAsync(Topic, count, size, (long)(1_000_000 / rate), publishing.Token);
        var expected = (long)subscribers * count;
        await fleet.WaitAsync(p => p.Received >= expected, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2));
    }
}
