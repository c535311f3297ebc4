using System.Diagnostics;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;
using Fenix.Bench.Shared;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// R rooms of K members; every member sends at a fixed rate, and each message goes to the room's other K-1 members
/// (Fenix broadcast_from, SignalR OthersInGroup, the bare server a loop skipping the sender). Reports deliveries/s at
/// that offered rate, their latency, and server CPU per delivery.
/// </summary>
internal sealed class ChatScenario : IScenario
{
    public string Name => "chat";

    public IReadOnlyList<string> Servers => Measure.AllServers;

    public IReadOnlyList<string> NamedOnlyServers => Measure.WithHistory;

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var rooms = settings.Pick(settings.Rooms, 100, 20);
        var members = Math.Max(2, settings.Pick(settings.Members, 20, 10));
        var rate = settings.Pick(settings.Rate, 1, 10);
        var seconds = settings.Pick(settings.Duration, 10, 3);
        var size = settings.Pick(settings.Size, 128, 128);
        var connections = rooms * members;

        await using var sut = await ServerUnderTest.StartAsync(server, settings.Gc, settings.TraceFor(server));
        await using var fleet = LoadGenFleet.Start(connections, settings.LoadGens);
        var connect = await fleet.ConnectAsync(Measure.WireFor(server), sut.BaseUrl, connections, "chat:", roomSize: members);
        Measure.Say($"chat/{server}: {connect.Ok:N0} members in {rooms} rooms ({connect.Failed} failed) in {connect.Seconds:0.00} s");

        var warmup = settings.Warmup ?? Math.Min(2, seconds);
        await SendAsync(fleet, members, rate, warmup, size);

        var start = Stopwatch.GetTimestamp();
        var counters0 = await sut.CountersAsync();
        var cpu0 = sut.CpuMicros();
        long sent, expected;
        FleetReport report;
        await using (DuringCommand.Start(settings.During, sut, seconds))
        {
            (sent, expected, report) = await SendAsync(fleet, members, rate, seconds, size);
        }

        var cpu = sut.CpuMicros() - cpu0;
        var counters = await sut.CountersAsync() - counters0;
        var (_, peak) = sut.Memory();
        Measure.EnsureAlive(sut);
        await Measure.HoldAsync(sut, settings);
        Measure.Say($"chat/{server}: {sent:N0} sent, {report.Received:N0}/{expected:N0} delivered");
        var result = new RunResult
        {
            Scenario = Name,
            Server = server,
            Connections = connect.Ok,
            DeliveriesPerS = report.Span > 0 ? report.Received / report.Span : null,
            P50Ms = Measure.Ms(report.Latency.Percentile(50)),
            P99Ms = Measure.Ms(report.Latency.Percentile(99)),
            CpuUsPerDelivery = Measure.PerUnit(cpu, report.Received),
            Seconds = Measure.Elapsed(start),
            Extra =
                {
                    ["variant"] = $"{rate:0.##}/s per member",
                    ["rooms"] = rooms,
                    ["members"] = members,
                    ["rate_per_member"] = rate,
                    ["warmup_seconds"] = warmup,
                    ["message_bytes"] = size,
                    ["offered_deliveries_per_s"] = connections * rate * (members - 1),
                    ["sent"] = sent,
                    ["delivered"] = report.Received,
                    ["delivery_ratio"] = expected > 0 ? (double)report.Received / expected : null,
                    ["p999_ms"] = Measure.Ms(report.Latency.Percentile(99.9)),
                    ["max_ms"] = Measure.Ms(report.Latency.Percentile(100)),
                    ["dropped_connections"] = report.Dropped,
                    ["peak_rss_bytes"] = peak,
                },
        };
        counters.AddTo(result.Extra, report.Received);
        return [result];
    }

    /// <summary>Every member sends for <paramref name="seconds"/>; then waits until the others received it all (or it stalls).</summary>
    private static async Task<(long Sent, long Expected, FleetReport Report)> SendAsync(LoadGenFleet fleet, int members, double rate, double seconds, int size)
    {
        await fleet.ResetAsync();
        var replies = await fleet.SendAllAsync(new LoadGenCommand { Op = "chat", Rate = rate, Seconds = seconds, Size = size });
        var sent = replies.Sum(r => r.Sent);
        var expected = sent * (members - 1);
        await fleet.WaitAsync(p => p.Received >= expected, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60));
        return (sent, expected, await fleet.ReportAsync());
    }
}
