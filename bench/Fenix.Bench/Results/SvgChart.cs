using System.Globalization;
using System.Security;
using System.Text;

namespace Fenix.Bench.Results;

/// <summary>
/// Draws runs as small bar-chart panels (one per scenario and figure, one bar per server) in plain SVG, so the docs
/// need no plotting package. Each panel says whether higher or lower is better.
/// </summary>
public static class SvgChart
{
    private const int PanelWidth = 400;
    private const int BarHeight = 20;
    private const int BarGap = 6;
    private const int LabelWidth = 80;
    private const int Columns = 3;

    private static readonly (string Name, string Title, bool HigherIsBetter, Func<RunResult, double?> Value)[] Figures =
    [
        ("deliveries_per_s", "deliveries/s", true, r => r.DeliveriesPerS),
        ("cpu_us_per_delivery", "server CPU µs/delivery", false, r => r.CpuUsPerDelivery),
        ("p99_ms", "p99 latency ms", false, r => r.P99Ms),
        ("bytes_per_connection", "server bytes/connection", false, r => r.BytesPerConnection),
    ];

    private static readonly Dictionary<string, string> Colors = new()
    {
        ["fenix"] = "#e4572e",
        ["fenix-direct"] = "#f28e2b",
        ["signalr"] = "#4e79a7",
        ["kestrel-ws"] = "#9c9c9c",
        [PhoenixChart.PhoenixLabel] = "#6f4e9c",
        [PhoenixChart.BeforeLabel] = "#f2b6a0",
    };

    public static string Render(IReadOnlyList<RunResult> runs, string title)
    {
        var panels = new List<Panel>();
        foreach (var group in runs.GroupBy(r => r.Scenario + Variant(r)))
        {
            foreach (var figure in Figures)
            {
                // Idle's latency is connect+join, not delivery: keep idle to its memory figure.
                if (group.First().Scenario == "idle" && figure.Name != "bytes_per_connection")
                {
                    continue;
                }

                var bars = group.Where(r => figure.Value(r) is > 0).Select(r => new Bar(r.Server, figure.Value(r)!.Value)).ToList();
                if (bars.Count > 0)
                {
                    panels.Add(new Panel($"{group.Key}: {figure.Title} ({(figure.HigherIsBetter ? "higher" : "lower")} is better)", bars));
                }
            }
        }

        return Draw(panels, title);
    }

    /// <summary>One bar: its label (a server name picks its colour) and value.</summary>
    internal sealed record Bar(string Label, double Value);

    /// <summary>One panel: a figure of one scenario, one bar per server.</summary>
    internal sealed record Panel(string Title, IReadOnlyList<Bar> Bars);

    /// <summary>Lays panels out in rows of <see cref="Columns"/>, every panel as tall as the one with most bars.</summary>
    internal static string Draw(IReadOnlyList<Panel> panels, string title)
    {
        var mostBars = panels.Count == 0 ? 1 : Math.Max(3, panels.Max(p => p.Bars.Count));
        var panelHeight = 40 + (mostBars * (BarHeight + BarGap));
        var rows = (panels.Count + Columns - 1) / Columns;
        var width = Columns * PanelWidth;
        var height = 40 + (Math.Max(1, rows) * panelHeight);
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">{Escape(title)}</text>");
        for (var i = 0; i < panels.Count; i++)
        {
            var panel = panels[i];
            var x0 = (i % Columns) * PanelWidth;
            var y0 = 40 + ((i / Columns) * panelHeight);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x0 + 10}\" y=\"{y0 + 16}\" font-weight=\"bold\">{Escape(panel.Title)}</text>");
            var max = panel.Bars.Max(b => b.Value);
            for (var b = 0; b < panel.Bars.Count; b++)
            {
                var (label, value) = panel.Bars[b];
                var y = y0 + 26 + (b * (BarHeight + BarGap));
                var length = Math.Max(1, (PanelWidth - LabelWidth - 80) * value / max);
                var color = Colors.GetValueOrDefault(label.Split(' ')[0], "#59a14f");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x0 + 10}\" y=\"{y + 14}\">{Escape(label)}</text>");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{x0 + LabelWidth}\" y=\"{y}\" width=\"{length:0.0}\" height=\"{BarHeight}\" fill=\"{color}\"/>");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x0 + LabelWidth + length + 4:0.0}\" y=\"{y + 14}\">{FormatValue(value)}</text>");
            }
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Variant(RunResult run) =>
        run.Extra.TryGetValue("variant", out var variant) && variant is not null ? $" ({variant})" : "";

    private static string FormatValue(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (value / 1_000).ToString("0.0", CultureInfo.InvariantCulture) + "k",
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
