using System.Diagnostics;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// The independent harness's everyday chat shape: one room of N members; one member publishes R messages/s (or the
/// server does, <c>--publisher server</c>), each message one frame per recipient. After the room is joined (and, for
/// samples/Chat, its presence is quiet) and a warm-up, a steady window gives server CPU µs per delivered frame (from
/// /proc, connect and join excluded), publish→receive p50/p99, the time for one message to reach the whole room, and
/// thread-pool work items and context switches per delivery (the wake-ups a paced broadcast costs).
/// </summary>
internal sealed class PacedScenario : IScenario
{
    public string Name => "paced";

    public IReadOnlyList<string> Servers => Measure.AllServersAndChat;

    public IReadOnlyList<string> NamedOnlyServers => Measure.WithHistory;

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var members = settings.Pick(settings.Connections, 1_000, 1_000);
        var rate = settings.Pick(settings.Rate, 20, 20);
        var seconds = settings.Pick(settings.Duration, 15, 5);
        var size = settings.Pick(settings.Size, 128, 128);
        var serverPublishes = settings.Publisher == "server";
        if (serverPublishes && !BenchPaths.HasBenchEndpoints(server))
        {
            throw new InvalidOperationException($"--publisher server needs the /bench endpoints, which {server} does not have.");
        }

        var topic = Measure.RoomTopic(server, "chat:paced");
        await using var sut = await ServerUnderTest.StartAsync(server, settings.Gc, settings.TraceFor(server));
        await using var fleet = LoadGenFleet.Start(members, settings.LoadGens);
        var joinStart = Stopwatch.GetTimestamp();
        var connect = await fleet.ConnectAsync(Measure.WireFor(server), sut.BaseUrl, members, topic, options: new ConnectOptions(JoinTimeout: TimeSpan.FromMinutes(2)));
        var n = connect.Ok;
        var quietSeconds = await Measure.WaitForPresenceQuietAsync(server, fleet, n);
        Measure.Say($"paced/{server}: {n:N0} members ({connect.Failed} failed) joined in {connect.Seconds:0.00} s{(quietSeconds is { } q ? $", presence quiet after {Measure.Elapsed(joinStart):0.0} s" : "")}");

        // A member's message goes to the others (broadcast_from, OthersInGroup, the relay), samples/Chat's to everyone.
        var recipients = serverPublishes || server == "chat" ? n : n - 1;
        // Warm-up long enough for tiered compilation to finish the hot paths (measured: a third of the CPU in the first 10 s of a fresh server, none after 15–20 s).
        await PublishAsync(sut, fleet, topic, serverPublishes, rate, settings.Quick ? 3 : 15, size, recipients);

        var windowStart = Stopwatch.GetTimestamp();
        var counters0 = await sut.CountersAsync();
        var cpu0 = sut.CpuMicros();
        var split0 = ProcStat.CpuSplitMicros(sut.Pid);
        var switches0 = ProcStat.ContextSwitches(sut.Pid);
        FleetReport report;
        long sent;
        await using (DuringCommand.Start(settings.During, sut, seconds))
        {
            (sent, report) = await PublishAsync(sut, fleet, topic, serverPublishes, rate, seconds, size, recipients);
        }

        var window = Measure.Elapsed(windowStart);
        var cpu = sut.CpuMicros() - cpu0;
        var split1 = ProcStat.CpuSplitMicros(sut.Pid);
        var switches1 = ProcStat.ContextSwitches(sut.Pid);
        var counters = await sut.CountersAsync() - counters0;
        var (rss, peak) = sut.Memory();
        var (reachP50, reachMax, missing) = Measure.ReachAll(report.SeqMaxMicros);
        Measure.EnsureAlive(sut);
        await Measure.HoldAsync(sut, settings);
        Measure.Say($"paced/{server}: {sent:N0} messages, {report.Received:N0}/{sent * recipients:N0} frames in {window:0.0} s, {Measure.PerUnit(cpu, report.Received):0.00} µs CPU per frame");
        var result = new RunResult
        {
            Scenario = Name,
            Server = server,
            Connections = n,
            DeliveriesPerS = report.Received / window,
            P50Ms = Measure.Ms(report.Latency.Percentile(50)),
            P99Ms = Measure.Ms(report.Latency.Percentile(99)),
            CpuUsPerDelivery = Measure.PerUnit(cpu, report.Received),
            Seconds = window,
            Extra =
            {
                ["variant"] = $"{n:N0} members, {rate:0.##}/s{(serverPublishes ? ", server publishes" : "")}",
                ["publisher"] = settings.Publisher,
                ["server_code"] = sut.Code,
                ["rate_per_s"] = rate,
                ["message_bytes"] = size,
                ["messages"] = sent,
                ["recipients_per_message"] = recipients,
                ["delivered"] = report.Received,
                ["delivery_ratio"] = sent * recipients > 0 ? (double)report.Received / (sent * recipients) : null,
                ["failed_joins"] = connect.Failed,
                ["join_seconds"] = connect.Seconds,
                ["presence_quiet_seconds"] = quietSeconds,
                ["p999_ms"] = Measure.Ms(report.Latency.Percentile(99.9)),
                ["max_ms"] = Measure.Ms(report.Latency.Percentile(100)),
                ["reach_all_p50_ms"] = reachP50,
                ["reach_all_max_ms"] = reachMax,
                ["messages_never_received"] = missing,
                ["server_cpu_percent"] = cpu / window / 10_000.0,
                ["cpu_us_per_message"] = Measure.PerUnit(cpu, sent),
                ["user_us_per_delivery"] = Measure.PerUnit(split1.User - split0.User, report.Received),
                ["system_us_per_delivery"] = Measure.PerUnit(split1.System - split0.System, report.Received),
                ["voluntary_switches_per_message"] = Measure.PerUnit(switches1.Voluntary - switches0.Voluntary, sent),
                ["involuntary_switches_per_message"] = Measure.PerUnit(switches1.Involuntary - switches0.Involuntary, sent),
                ["dropped_connections"] = report.Dropped,
                ["rss_bytes"] = rss,
                ["peak_rss_bytes"] = peak,
            },
        };
        if (sut.HasBenchEndpoints)
        {
            counters.AddTo(result.Extra, report.Received);
            result.Extra["work_items_per_message"] = Measure.PerUnit(counters.WorkItems, sent);
        }

        return [result];
    }

    /// <summary>Publishes for <paramref name="seconds"/> at <paramref name="rate"/>/s, then waits until every recipient got every message (or it stalls).</summary>
    private static async Task<(long Sent, FleetReport Report)> PublishAsync(
        ServerUnderTest sut, LoadGenFleet fleet, string topic, bool serverPublishes, double rate, double seconds, int size, int recipients)
    {
        var count = (int)Math.Max(1, rate * seconds);
        await fleet.ResetAsync(count);
        long sent;
        if (serverPublishes)
        {
            using var publishing = new CancellationTokenSource(TimeSpan.FromSeconds(60 + seconds));
            await sut.BroadcastAsync(topic, count, size, (long)(1_000_000 / rate), publishing.Token);
            sent = count;
        }
        else
        {
            var replies = await fleet.SendAllAsync(new Shared.LoadGenCommand { Op = "publish", Publisher = 0, Rate = rate, Seconds = seconds, Size = size });
            sent = replies.Sum(r => r.Sent);
        }

        var expected = sent * recipients;
        await fleet.WaitAsync(p => p.Received >= expected, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
        return (sent, await fleet.ReportAsync());
    }
}
