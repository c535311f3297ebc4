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

        return text.ToString();
    }

    /// <summary>Fenix against each baseline, per scenario, each ratio oriented so that &gt; 1 means Fenix is better.</summary>
    public static string Ratios(IReadOnlyList<RunResult> runs)
    {
        var text = new StringBuilder();
        foreach (var group in runs.GroupBy(r => r.Scenario + Variant(r)))
        {
            var fenix = group.FirstOrDefault(r => r.Server == "fenix");
            if (fenix is null)
            {
                continue;
            }

            foreach (var baseline in group.Where(r => r.Server != "fenix"))
            {
                var parts = new List<string>();
                Add(parts, "deliveries/s", fenix.DeliveriesPerS, baseline.DeliveriesPerS, higherIsBetter: true);
                Add(parts, "CPU/delivery", fenix.CpuUsPerDelivery, baseline.CpuUsPerDelivery, higherIsBetter: false);
                Add(parts, "p99", fenix.P99Ms, baseline.P99Ms, higherIsBetter: false);
                Add(parts, "memory/connection", fenix.BytesPerConnection, baseline.BytesPerConnection, higherIsBetter: false);
                if (parts.Count > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"- {group.Key}, Fenix vs {baseline.Server} (>1 = Fenix better): {string.Join(", ", parts)}");
                }
            }
        }

        return text.ToString();
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
