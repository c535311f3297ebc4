using Fenix.Bench.Cluster;
using Fenix.PubSub.RabbitMQ;

// Usage: fenix-bench-cluster [amqp-uri] [--redis host:port] [--quick] [--skip-routing]
// Two nodes (PubSub + adapter, one connection each) in this process, against RabbitMQ and against Redis in the same run;
// then the measurements behind the Redis adapter's routing. Prints Markdown tables.
var uri = new Uri(args.FirstOrDefault(a => a.StartsWith("amqp", StringComparison.Ordinal)) ?? "amqp://guest:guest@127.0.0.1:5672/");
var redisIndex = Array.IndexOf(args, "--redis");
var redis = redisIndex >= 0 && redisIndex + 1 < args.Length ? args[redisIndex + 1] : "127.0.0.1:6379";
var quick = args.Contains("--quick");
var prefix = $"fenix-bench-{Guid.NewGuid().ToString("N")[..8]}";
var fanout = new RabbitMqBench(uri, RabbitMqRouting.Fanout);
var perTopic = new RabbitMqBench(uri, RabbitMqRouting.PerTopic);
var redisBench = new RedisBench(redis);
var all = new BenchBackend[] { fanout, perTopic, redisBench }.Select(b => new Scenarios(b, prefix, Console.Out)).ToArray();

Console.WriteLine($"Fenix cluster bench: RabbitMQ at {uri.Host}:{uri.Port}, Redis at {redis}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine();
Console.WriteLine("| scenario | delivered | p50 µs | p90 µs | p99 µs | max µs | notes |");
Console.WriteLine("|---|---|---|---|---|---|---|");
var seconds = TimeSpan.FromSeconds(quick ? 2 : 5);
foreach (var rate in new[] { 500, 5_000, 20_000 })
{
    foreach (var scenarios in all)
    {
        await scenarios.LatencyAsync(rate, seconds);
    }
}

Console.WriteLine();
Console.WriteLine("| scenario | delivered | throughput | batching | latency under load | notes |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var topics in new[] { 1, 1_000 })
{
    foreach (var scenarios in all)
    {
        await scenarios.ThroughputAsync(quick ? 50_000 : 300_000, topics);
    }
}

Console.WriteLine();
Console.WriteLine("| scenario | bind | unbind | notes |");
Console.WriteLine("|---|---|---|---|");
await new Scenarios(perTopic, prefix, Console.Out).BindingChurnAsync(quick ? 1_000 : 5_000);

Console.WriteLine();
Console.WriteLine("| scenario | presences | tracking | convergence | notes |");
Console.WriteLine("|---|---|---|---|---|");
await PresenceConvergence.RunAsync(fanout, prefix + "-presence", quick ? 2_000 : 10_000, Console.Out);
await PresenceConvergence.RunAsync(redisBench, prefix + "-presence", quick ? 2_000 : 10_000, Console.Out);

if (!args.Contains("--skip-routing"))
{
    Console.WriteLine();
    Console.WriteLine("Redis routing designs (raw StackExchange.Redis, two connections, 100-byte messages):");
    Console.WriteLine();
    await RedisRouting.RunAsync(redis, quick, Console.Out);
}
