using System.Diagnostics;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Recovery;
using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// Issue 14's recovery figure: two Fenix nodes with history (the bench server as <c>fenix-history</c>) over a Redis of
/// the run's own; N clients joined to one history topic on node A follow their positions; node A is killed (SIGKILL),
/// M messages are published through node B, node A is restarted on the same port, and every client reconnects to it at
/// once with its last position. Measured: the time from the restart (and from the reconnect) until every client has
/// recovered, per-client recovery time, node A's and Redis's CPU and Redis commands meanwhile. Verified: every reply
/// says recovered with M replayed, then exactly the M missed messages follow, in order, each once, and a later live
/// message comes next (the barrier: nothing else arrived in between).
/// </summary>
internal sealed class RecoveryScenario : IScenario
{
    private const string Topic = "chat:recovery";

    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(120);

    public string Name => "recovery";

    public IReadOnlyList<string> Servers => ["fenix"];

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var n = settings.Pick(settings.Connections, 1_000, 200);
        var missed = settings.Pick(settings.Messages, 100, 100);
        var size = settings.Pick(settings.Size, 128, 128);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var ct = cancel.Token;

        await using var broker = await BrokerUnderTest.StartAsync("redis", settings.BrokerUri);
        var prefix = $"fenix-recovery-{Guid.NewGuid().ToString("N")[..8]}";
        var portA = ServerUnderTest.FreePort();
        string[] NodeArguments(string node) => [.. broker.NodeArguments(prefix, node)];
        var nodeA = await ServerUnderTest.StartAsync("fenix-history", settings.Gc, null, portA, NodeArguments("bench-node-a"));
        await using var nodeB = await ServerUnderTest.StartAsync("fenix-history", settings.Gc, null, port: null, NodeArguments("bench-node-b"));
        var observer = new RecoveryClient(-1);
        var members = Enumerable.Range(0, n).Select(i => new RecoveryClient(i)).ToArray();
        using var heartbeat = new Timer(_ =>
        {
            foreach (var client in members.Append(observer))
            {
                _ = client.HeartbeatAsync();
            }
        }, null, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20));
        try
        {
            await observer.StartAsync(nodeB.BaseUrl, Topic, ct);
            await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, (c, token) => new ValueTask(c.StartAsync(nodeA.BaseUrl, Topic, token)));
            await WaitAsync("joined node A", () => observer.JoinedAt != 0 && members.All(c => c.JoinedAt != 0 || c.Error is not null), ct);
            Fail(members.Where(c => c.Error is not null), "first join");
            Measure.Say($"recovery: {n:N0} clients joined {Topic} on node A ({nodeA.BaseUrl}), an observer on node B; Redis at {broker.Address}");

            // One message through node B that every client gets live: all follow the stream, at one position.
            await nodeB.BroadcastAsync(Topic, 1, size, 0, ct);
            await WaitAsync("the first live message", () => observer.Received >= 1 && members.All(c => c.Received >= 1), ct);
            var position = members[0].Position;
            Fail(members.Where(c => c.Error is not null || c.Position != position), $"following the stream (expected all at {position})");

            await nodeA.KillAsync();
            await Task.WhenAll(members.Select(c => c.WaitClosedAsync(TimeSpan.FromSeconds(30))));
            Measure.Say($"recovery: node A killed (SIGKILL); {n:N0} clients at {position}");

            // The messages they miss, through node B; the observer proves they are stored and published.
            var before = observer.Received;
            await nodeB.BroadcastAsync(Topic, missed, size, 0, ct);
            await WaitAsync($"{missed} messages through node B", () => observer.Received >= before + missed, ct);
            foreach (var client in members)
            {
                client.DoneAt = missed;
            }

            var redis0 = await RedisStats.ReadAsync(broker.Address);
            var redisCpu0 = broker.CpuMicros();
            var restart = Stopwatch.GetTimestamp();
            nodeA = await ServerUnderTest.StartAsync("fenix-history", settings.Gc, settings.TraceFor("node-a"), portA, NodeArguments("bench-node-a"));
            var ready = Stopwatch.GetTimestamp();
            var cpuA0 = nodeA.CpuMicros();

            // Every client at once, as after an outage (phoenix.js reconnects each within its first backoff step).
            var reconnect = Stopwatch.GetTimestamp();
            await using (DuringCommand.Start(settings.During, nodeA, seconds: 10))
            {
                await Task.WhenAll(members.Select(c => c.StartAsync(nodeA.BaseUrl, Topic, ct)));
                await WaitAsync("every client recovered", () => members.All(c => c.CompletedAt != 0 || c.Error is not null), ct);
            }

            Fail(members.Where(c => c.Error is not null), "recovery");
            var done = members.Max(c => c.CompletedAt); // each stamped by its client's receive loop at its last missed message
            var cpuA = nodeA.CpuMicros() - cpuA0;
            var redisCpu = broker.CpuMicros() - redisCpu0;
            var redis1 = await RedisStats.ReadAsync(broker.Address);

            // The barrier: one more live message must be the very next one each client gets.
            await nodeB.BroadcastAsync(Topic, 1, size, 0, ct);
            await WaitAsync("the barrier message", () => members.All(c => c.Received >= missed + 1 || c.Error is not null), ct);
            var expected = Enumerable.Range(0, missed).Append(0).ToArray();
            var wrong = members.Where(c => c.Error is not null || c.Recovered != true || c.Replayed != missed || c.Received != missed + 1 || !c.Sequences.SequenceEqual(expected)).ToList();
            Fail(wrong, "recovery");
            Measure.EnsureAlive(nodeA);

            double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
            var perClient = members.Select(c => Ms(reconnect, c.CompletedAt)).Order().ToArray();
            var ownTime = members.Select(c => Ms(c.StartedAt, c.CompletedAt)).Order().ToArray();
            var joinTime = members.Select(c => Ms(c.StartedAt, c.JoinedAt)).Order().ToArray();
            var redisCommands = RedisStats.Delta(redis0, redis1);
            var deliveries = (long)n * missed;
            Measure.Say($"recovery: {n:N0} clients × {missed} messages recovered and verified; {Ms(restart, done):0} ms from the restart, {Ms(reconnect, done):0} ms from the reconnect");
            var result = new RunResult
            {
                Scenario = Name,
                Server = "fenix-history",
                Connections = n,
                DeliveriesPerS = deliveries / Stopwatch.GetElapsedTime(reconnect, done).TotalSeconds,
                P50Ms = Percentile(perClient, 50),
                P99Ms = Percentile(perClient, 99),
                CpuUsPerDelivery = (double)cpuA / deliveries,
                Seconds = Stopwatch.GetElapsedTime(restart, done).TotalSeconds,
                Extra =
                {
                    ["variant"] = $"{n:N0} clients × {missed} missed, Redis",
                    ["missed_messages"] = missed,
                    ["message_bytes"] = size,
                    ["restart_to_all_recovered_ms"] = Ms(restart, done),
                    ["node_start_ms"] = Ms(restart, ready),
                    ["reconnect_to_all_recovered_ms"] = Ms(reconnect, done),
                    ["recovery_p50_ms"] = Percentile(perClient, 50),
                    ["recovery_p99_ms"] = Percentile(perClient, 99),
                    ["recovery_max_ms"] = perClient[^1],
                    ["own_recovery_p50_ms"] = Percentile(ownTime, 50),
                    ["own_recovery_p99_ms"] = Percentile(ownTime, 99),
                    ["join_reply_p50_ms"] = Percentile(joinTime, 50),
                    ["join_reply_p99_ms"] = Percentile(joinTime, 99),
                    ["node_cpu_ms"] = cpuA / 1000.0,
                    ["redis_cpu_ms"] = redisCpu / 1000.0,
                    ["redis_commands"] = redisCommands.Values.Sum(),
                    ["redis_commands_by_name"] = string.Join(", ", redisCommands.Where(p => p.Value > 0).OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")),
                    ["verified_clients"] = n - wrong.Count,
                },
            };
            return [result];
        }
        finally
        {
            await Task.WhenAll(members.Append(observer).Select(c => c.CloseAsync()));
            await nodeA.DisposeAsync();
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static void Fail(IEnumerable<RecoveryClient> wrong, string stage)
    {
        var list = wrong.ToList();
        if (list.Count > 0)
        {
            var first = list[0];
            throw new InvalidOperationException(
                $"{list.Count:N0} clients failed at {stage}; client {first.Index}: {first.Error ?? "no error"}, recovered {first.Recovered}, replayed {first.Replayed}, " +
                $"received {first.Received}, reason {first.Reason ?? "none"}, position {first.Position}, sequences [{string.Join(",", first.Sequences.Take(8))}…]");
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true; throws after <see cref="Stall"/>.</summary>
    private static async Task WaitAsync(string what, Func<bool> condition, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > Stall)
            {
                throw new TimeoutException($"recovery: waited {Stall.TotalSeconds} s for {what}.");
            }

            await Task.Delay(5, cancellationToken);
        }
    }
}
