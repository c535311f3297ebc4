using System.Globalization;

namespace Fenix.Bench.Results;

/// <summary>
/// The realistic shapes as a chart: one panel per <see cref="PhoenixReference"/> figure that the runs measured, with
/// Phoenix's quoted figure, the harness's Fenix figure before issue 13 ("before"), and the median of this report's
/// runs of one Fenix server (samples/Chat when present, as the harness ran it).
/// </summary>
public static class PhoenixChart
{
    public const string PhoenixLabel = "phoenix";
    public const string BeforeLabel = "before";

    /// <summary>The servers that stand for Fenix, in order of preference.</summary>
    private static readonly string[] FenixServers = ["chat", "fenix-direct", "fenix"];

    public static string Render(IReadOnlyList<RunResult> runs, string title) => SvgChart.Draw(Panels(runs), title);

    internal static List<SvgChart.Panel> Panels(IReadOnlyList<RunResult> runs)
    {
        var panels = new List<SvgChart.Panel>();
        foreach (var figure in PhoenixReference.Figures)
        {
            foreach (var server in FenixServers)
            {
                var values = runs
                    .Where(r => r.Server == server && PhoenixReference.For(r).Contains(figure))
                    .Select(r => PhoenixReference.ValueOf(r, figure))
                    .OfType<double>()
                    .Where(double.IsFinite)
                    .ToList();
                if (values.Count == 0)
                {
                    continue;
                }

                var label = values.Count == 1 ? server : $"{server} ×{values.Count}";
                var better = figure.HigherIsBetter ? "higher" : "lower";
                panels.Add(new SvgChart.Panel(
                    string.Create(CultureInfo.InvariantCulture, $"{figure.Scenario} {figure.Connections:N0}: {figure.Name} ({better} is better)"),
                    [new(PhoenixLabel, figure.Phoenix), new(BeforeLabel, figure.HarnessFenix), new(label, ResultTable.Median(values))]));
                break;
            }
        }

        return panels;
    }
}
