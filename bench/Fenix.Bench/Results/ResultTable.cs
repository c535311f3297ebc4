using System.Globalization;
using System.Text;

namespace Fenix.Bench.Results;

/// <summary>Renders runs as a Markdown table, and Fenix's ratios to SignalR and bare Kestrel from the same runs.</summary>
public static class ResultTable
{
    public static string Render(IReadOnlyList<RunResult> runs)
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | server | connections | deliveries/s | p50 ms | p99 ms | CPU µs/delivery | bytes/connection | seconds |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in runs)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Scenario}{Variant(run)} | {run.Server} | {run.Connections:N0} | {Format(run.DeliveriesPerS, "N0")} | {Format(run.P50Ms, "0.00")} | {Format(run.P99Ms, "0.00")} | {Format(run.CpuUsPerDelivery, "0.00")} | {Format(run.BytesPerConnection, "N0")} | {run.Seconds:0.0} |");
        }

        var ratios = Ratios(runs);
        if (ratios.Length > 0)
        {
            text.AppendLine();
            text.Append(ratios);
        }

        var history = HistoryCost(runs);
        if (history.Length > 0)
        {
            text.AppendLine();
            text.Append(history);
        }

        var phoenix = AgainstPhoenix(runs);
        if (phoenix.Length > 0)
        {
            text.AppendLine();
            text.Append(phoenix);
        }

        return text.ToString();
    }

    /// <summary>
    /// Fenix's runs (bench server and samples/Chat) against the fixed Phoenix reference figures of the independent
    /// harness (not measured here); the ratio is Fenix/Phoenix, so below 1 is better for lower-is-better figures.
    /// </summary>
    public static string AgainstPhoenix(IReadOnlyList<RunResult> runs)
    {
        var text = new StringBuilder();
        foreach (var run in runs.Where(r => r.Server is "fenix" or "fenix-direct" or "chat"))
        {
            var parts = new List<string>();
            foreach (var figure in PhoenixReference.For(run))
            {
                if (PhoenixReference.ValueOf(run, figure) is { } value && double.IsFinite(value))
                {
                    parts.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{figure.Name} {value:0.##} vs Phoenix {figure.Phoenix:0.##} (Fenix/Phoenix {value / figure.Phoenix:0.00}; harness's Fenix {figure.HarnessFenix:0.##})"));
                }
            }

            if (parts.Count > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {run.Scenario}{Variant(run)}, {run.Server}, {run.Connections:N0}: {string.Join("; ", parts)}");
            }
        }

        return text.ToString();
    }

    /// <summary>Fenix against each baseline, per scenario, each ratio oriented so that &gt; 1 means Fenix is better.</summary>
    public static string Ratios(IReadOnlyList<RunResult> runs)
    {
        var text = new StringBuilder();
        foreach (var group in runs.GroupBy(r => r.Scenario + Variant(r)))
        {
            // samples/Chat is Fenix too: both are compared with the baselines (first run of each when repeated).
            foreach (var fenix in group.Where(r => r.Server is "fenix" or "fenix-direct" or "chat").DistinctBy(r => r.Server))
            {
                foreach (var baseline in group.Where(r => r.Server is not ("fenix" or "chat" or "fenix-history" or "fenix-direct")).DistinctBy(r => r.Server))
                {
                    var parts = new List<string>();
                    Add(parts, "deliveries/s", fenix.DeliveriesPerS, baseline.DeliveriesPerS, higherIsBetter: true);
                    Add(parts, "CPU/delivery", fenix.CpuUsPerDelivery, baseline.CpuUsPerDelivery, higherIsBetter: false);
                    Add(parts, "p99", fenix.P99Ms, baseline.P99Ms, higherIsBetter: false);
                    Add(parts, "memory/connection", fenix.BytesPerConnection, baseline.BytesPerConnection, higherIsBetter: false);
                    if (parts.Count > 0)
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"- {group.Key}, {fenix.Server} vs {baseline.Server} (>1 = Fenix better): {string.Join(", ", parts)}");
                    }
                }
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// What history costs: each <c>fenix-history</c> run against the <c>fenix</c> run just before it (runs alternate with
    /// <c>--server fenix,fenix-history --repeat N</c>, so each pair shares the machine's load), as on/off ratios
    /// (&gt; 1 = history costs more), then the median of the pairs.
    /// </summary>
    public static string HistoryCost(IReadOnlyList<RunResult> runs)
    {
        var text = new StringBuilder();
        foreach (var group in runs.GroupBy(r => r.Scenario + Variant(r)))
        {
            var off = group.Where(r => r.Server == "fenix").ToList();
            var on = group.Where(r => r.Server == "fenix-history").ToList();
            var pairs = off.Zip(on).ToList();
            if (pairs.Count == 0)
            {
                continue;
            }

            var figures = new (string Name, Func<RunResult, double?> Value)[]
            {
                ("CPU µs/delivery", r => r.CpuUsPerDelivery),
                ("user µs/delivery", r => r.Number("user_us_per_delivery")),
                ("p99 ms", r => r.P99Ms),
                ("paced CPU µs/delivery", r => r.Number("paced_cpu_us_per_delivery")),
                ("burst p99 ms", r => r.Number("burst_p99_ms")),
            };
            text.AppendLine(CultureInfo.InvariantCulture, $"History on/off, {group.Key} ({pairs.Count} alternating pair{(pairs.Count == 1 ? "" : "s")}; >1 = history costs more):");
            foreach (var (name, value) in figures)
            {
                var ratios = pairs
                    .Select(p => (Off: value(p.First), On: value(p.Second)))
                    .Where(p => p.Off is > 0 && p.On is > 0)
                    .Select(p => (p.Off!.Value, p.On!.Value, Ratio: p.On!.Value / p.Off!.Value))
                    .ToList();
                if (ratios.Count == 0)
                {
                    continue;
                }

                var each = string.Join(", ", ratios.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Item1:0.00}→{r.Item2:0.00}")));
                text.AppendLine(CultureInfo.InvariantCulture, $"- {name}: off→on {each}; on/off median ×{Median(ratios.Select(r => r.Ratio)):0.00}");
            }
        }

        return text.ToString();
    }


    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Distinguishes runs of one scenario with different settings (e.g. presence with/without coalescing).</summary>
    private static string Variant(RunResult run) =>
        run.Extra.TryGetValue("variant", out var variant) && variant is not null ? $" ({variant})" : "";

    private static void Add(List<string> parts, string name, double? fenix, double? baseline, bool higherIsBetter)
    {
        if (fenix is > 0 && baseline is > 0)
        {
            var ratio = higherIsBetter ? fenix.Value / baseline.Value : baseline.Value / fenix.Value;
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} ×{ratio:0.00}"));
        }
    }

    private static string Format(double? value, string format) =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}
