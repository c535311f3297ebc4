namespace Fenix.Bench.Results;

/// <summary>
/// Fixed reference figures from issue 13: an independent harness ran Phoenix 1.7.24 (Bandit) and Fenix's samples/Chat
/// side by side on this machine (a fresh server per run, CPU and memory from /proc, medians of 2–4 runs). Phoenix
/// cannot run here (no hex.pm), so its figures are quoted, not measured; the harness's Fenix figures are the "before".
/// </summary>
public static class PhoenixReference
{
    /// <summary>One reference row: the scenario and size it matches, Phoenix's figure, and the harness's Fenix figure.</summary>
    public sealed record Figure(string Scenario, int Connections, string Name, double Phoenix, double HarnessFenix, bool HigherIsBetter = false);

    public static IReadOnlyList<Figure> Figures { get; } =
    [
        new("idle", 5_000, "bytes/connection", 11.2 * 1024, 20.5 * 1024),
        new("idle", 15_000, "bytes/connection", 11.2 * 1024, 19.2 * 1024),
        new("idle", 15_000, "connects/s", 3_521, 3_156, HigherIsBetter: true),
        new("paced", 1_000, "CPU µs/delivery", 19.2, 23.1),
        new("paced", 1_000, "p50 ms", 14.0, 13.7),
        new("paced", 1_000, "p99 ms", 27.0, 31.8),
        new("paced", 2_000, "CPU µs/delivery", 16.3, 13.4),
        new("paced", 2_000, "p99 ms", 38.2, 45.7),
        new("presence", 1_000, "until quiet s", 14.7, 3.1),
        new("presence", 1_000, "peak RSS MB", 1_175, 183),
        new("presence", 2_000, "all joined s", 8.0, 11.6),
        new("presence", 2_000, "until quiet s", 62.9, 11.5),
        new("presence", 2_000, "peak RSS MB", 3_751, 217),
        new("presence", 5_000, "all joined s", 17.7, 48.1),
        new("presence", 5_000, "until quiet s", 308, 48.3),
        new("presence", 5_000, "peak RSS MB", 6_400, 557),
    ];

    /// <summary>The measured value of <paramref name="figure"/> in <paramref name="run"/>, or null if the run does not have it.</summary>
    public static double? ValueOf(RunResult run, Figure figure) => figure.Name switch
    {
        "bytes/connection" => run.BytesPerConnection,
        "connects/s" => run.Number("connect_per_s"),
        "CPU µs/delivery" => run.CpuUsPerDelivery,
        "p50 ms" => run.P50Ms,
        "p99 ms" => run.P99Ms,
        "until quiet s" => run.Number("all_agree_seconds"),
        "all joined s" => run.Number("all_joined_seconds"),
        "peak RSS MB" => run.Number("peak_rss_bytes") / (1024.0 * 1024),
        _ => null,
    };

    /// <summary>The reference figures for a run: same scenario, and a size within 10 % (runs that lost a few joins still match).</summary>
    public static IEnumerable<Figure> For(RunResult run) =>
        Figures.Where(f => f.Scenario == run.Scenario && Math.Abs(run.Connections - f.Connections) <= f.Connections / 10);
}
