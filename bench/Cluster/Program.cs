using Fenix.Bench.Cluster;
using Fenix.PubSub.RabbitMQ;

// Usage: fenix-bench-cluster [amqp-uri] [--quick]
// Two nodes (PubSub + RabbitMQ adapter, one connection each) in this process against one broker; prints a Markdown table.
var uri = new Uri(args.FirstOrDefault(a => a.StartsWith("amqp", StringComparison.Ordinal)) ?? "amqp://guest:guest@127.0.0.1:5672/");
var quick = args.Contains("--quick");
var prefix = $"fenix-bench-{Guid.NewGuid().ToString("N")[..8]}";
var fanout = new Scenarios(uri, prefix, RabbitMqRouting.Fanout, Console.Out);
var perTopic = new Scenarios(uri, prefix, RabbitMqRouting.PerTopic, Console.Out);

Console.WriteLine($"Fenix cluster bench against {uri.Host}:{uri.Port}, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine();
Console.WriteLine("| scenario | delivered | p50 µs | p90 µs | p99 µs | max µs | notes |");
Console.WriteLine("|---|---|---|---|---|---|---|");
var seconds = TimeSpan.FromSeconds(quick ? 2 : 5);
foreach (var scenarios in new[] { fanout, perTopic })
{
    await scenarios.LatencyAsync(500, seconds);
    await scenarios.LatencyAsync(5_000, seconds);
    await scenarios.LatencyAsync(20_000, seconds);
}

Console.WriteLine();
Console.WriteLine("| scenario | delivered | throughput | batching | latency under load | notes |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var scenarios in new[] { fanout, perTopic })
{
    await scenarios.ThroughputAsync(quick ? 50_000 : 300_000, topics: 1);
    await scenarios.ThroughputAsync(quick ? 50_000 : 300_000, topics: 1_000);
}

Console.WriteLine();
Console.WriteLine("| scenario | bind | unbind | notes |");
Console.WriteLine("|---|---|---|---|");
await perTopic.BindingChurnAsync(quick ? 1_000 : 5_000);
await fanout.BindingChurnAsync(quick ? 1_000 : 5_000);

Console.WriteLine();
Console.WriteLine("| scenario | presences | tracking | convergence | notes |");
Console.WriteLine("|---|---|---|---|---|");
await PresenceConvergence.RunAsync(uri, prefix + "-presence", quick ? 2_000 : 10_000, Console.Out);
