using System.Diagnostics;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;

namespace Fenix.Bench.Scenarios;

/// <summary>
/// N users join one presence room at once. Reports the time until all have joined and until every client's member
/// list (from <c>presence_state</c> and <c>presence_diff</c>) holds all N (quiet), failed joins, the presence frames
/// clients received, and the server's peak resident memory. On the bench server with the defaults (adaptive
/// coalescing), with no coalescing (Phoenix's behaviour) and with a fixed window on every room; on samples/Chat
/// (<c>--server chat</c>: <c>rooms:lobby</c>, as shipped, no configuration) once.
/// </summary>
internal sealed class PresenceScenario : IScenario
{
    private const string Topic = "presence:room";

    public string Name => "presence";

    public IReadOnlyList<string> Servers => ["fenix", "chat"];

    public async Task<IReadOnlyList<RunResult>> RunAsync(string server, ScenarioSettings settings)
    {
        var users = settings.Pick(settings.Connections, 2_000, 300);
        if (server == "chat")
        {
            return [await RunOnceAsync("chat", users, coalesceMs: 0, settings)];
        }

        // Defaults (adaptive coalescing), Phoenix's behaviour (every diff at once), and a fixed window on every room.
        var window = settings.Pick(settings.CoalesceMs, 100, 100);
        return settings.DefaultOnly
            ? [await RunOnceAsync(server, users, coalesceMs: 0, settings)]
            :
            [
                await RunOnceAsync(server, users, coalesceMs: 0, settings),
                await RunOnceAsync(server, users, coalesceMs: -1, settings),
                await RunOnceAsync(server, users, window, settings),
            ];
    }

    /// <param name="coalesceMs">0: the defaults (adaptive coalescing); -1: no coalescing at all; above 0: a fixed window.</param>
    private async Task<RunResult> RunOnceAsync(string server, int users, int coalesceMs, ScenarioSettings settings)
    {
        var chat = server == "chat";
        var variant = chat ? "samples/Chat, defaults" : coalesceMs switch
        {
            > 0 => $"coalesce {coalesceMs} ms",
            0 => "defaults (adaptive coalescing)",
            _ => "no coalescing",
        };
        var topic = chat ? LoadGen.ChatSampleWire.Lobby : Topic;
        await using var sut = chat
            ? await ServerUnderTest.StartAsync("chat", settings.Gc, settings.TraceFor("chat-presence"))
            : await ServerUnderTest.StartAsync(
                "fenix", settings.Gc, settings.TraceFor($"fenix-presence-{coalesceMs}"), [
                    "--Bench:Presence=true", $"--Bench:PresenceCoalesceMs={Math.Max(0, coalesceMs)}",
                    .. coalesceMs < 0 ? ["--Fenix:Presence:AdaptiveCoalescingBurst=0"] : Array.Empty<string>(),
                ]);
        var empty = await sut.StatsAsync();
        await using var fleet = LoadGenFleet.Start(users, settings.LoadGens);

        Measure.Say($"presence ({variant}): {users:N0} users joining {topic}");
        var cpu0 = sut.CpuMicros();
        var (user0, system0) = ProcStat.CpuSplitMicros(sut.Pid);
        var loadgenCpu0 = fleet.CpuMicros();
        var machine0 = ProcStat.MachineBusyMicros();
        var start = Stopwatch.GetTimestamp();
        await using var during = DuringCommand.Start(settings.During, sut, 30);
        var connect = await fleet.ConnectAsync(chat ? "chat" : "fenix-presence", sut.BaseUrl, users, topic, options: new ConnectOptions(JoinTimeout: TimeSpan.FromMinutes(5)));
        var joinedSeconds = Measure.Elapsed(start);
        var n = connect.Ok;
        var target = (long)n * n;
        var progress = await fleet.WaitAsync(p => p.Agreed >= target, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(6));
        var agreedSeconds = Measure.Elapsed(start);
        await during.DisposeAsync();
        var cpu = sut.CpuMicros() - cpu0;
        var (user1, system1) = ProcStat.CpuSplitMicros(sut.Pid);
        var loadgenCpu = fleet.CpuMicros() - loadgenCpu0;
        var machine = ProcStat.MachineBusyMicros() - machine0;
        var report = await fleet.ReportAsync();
        var (_, peak) = sut.Memory();
        var held = await sut.StatsAsync();
        Measure.EnsureAlive(sut);
        await Measure.HoldAsync(sut, settings);
        var agreed = progress.Agreed >= target;
        Measure.Say($"presence ({variant}): {n:N0} joined in {joinedSeconds:0.00} s, {(agreed ? "all agree" : "NOT all agree")} after {agreedSeconds:0.00} s, {report.PresenceFrames:N0} presence frames");
        Measure.Say($"presence ({variant}): CPU over {agreedSeconds:0.00} s × 2 cores: server {cpu / 1e6:0.00} s (user {(user1 - user0) / 1e6:0.00}, system {(system1 - system0) / 1e6:0.00}), load generators {loadgenCpu / 1e6:0.00} s, everything else {(machine - cpu - loadgenCpu) / 1e6:0.00} s; peak RSS {peak / 1048576.0:0} MB");
        return new RunResult
        {
            Scenario = Name,
            Server = server,
            Connections = n,
            CpuUsPerDelivery = Measure.PerUnit(cpu, report.PresenceFrames),
            BytesPerConnection = (double)(peak - empty.Rss) / Math.Max(1, n),
            Seconds = agreedSeconds,
            Extra =
            {
                ["variant"] = variant,
                ["server_code"] = sut.Code,
                ["coalesce_ms"] = coalesceMs,
                ["failed"] = connect.Failed,
                ["first_error"] = connect.FirstError,
                ["all_joined_seconds"] = joinedSeconds,
                ["all_agree"] = agreed,
                ["all_agree_seconds"] = agreed ? agreedSeconds : null,
                ["members_seen_ratio"] = target > 0 ? (double)progress.Agreed / target : null,
                ["presence_frames"] = report.PresenceFrames,
                ["presence_frames_per_user"] = (double)report.PresenceFrames / Math.Max(1, n),
                ["cpu_us_per_user"] = (double)cpu / Math.Max(1, n),
                ["server_cpu_seconds"] = cpu / 1e6,
                ["server_user_seconds"] = (user1 - user0) / 1e6,
                ["server_system_seconds"] = (system1 - system0) / 1e6,
                ["loadgen_cpu_seconds"] = loadgenCpu / 1e6,
                ["machine_busy_seconds"] = machine / 1e6,
                ["other_cpu_seconds"] = (machine - cpu - loadgenCpu) / 1e6,
                ["peak_rss_bytes"] = peak,
                ["empty_rss_bytes"] = empty.Rss,
                ["held_rss_bytes"] = held.Rss,
            },
        };
    }
}
