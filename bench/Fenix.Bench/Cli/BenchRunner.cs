using Fenix.Bench.Orchestration;
using Fenix.Bench.Results;
using Fenix.Bench.Scenarios;

namespace Fenix.Bench.Cli;

/// <summary>Runs one scenario against one server or, with <c>--compare</c>, each of its servers in turn; then reports.</summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(IScenario scenario, IReadOnlyList<string> servers, ScenarioSettings settings, string? jsonPath, string? svgPath)
    {
        var document = new BenchDocument { Gc = settings.Gc == GcMode.Server ? "server, concurrent (DATAS)" : "workstation, non-concurrent" };
        Measure.Say($"load average before: {document.LoadBefore}");
        var failures = 0;
        foreach (var server in Enumerable.Range(0, settings.Repeat).SelectMany(_ => servers))
        {
            try
            {
                var runs = await scenario.RunAsync(server, settings);
                document.Runs.AddRange(runs);

                // A scenario that counts its deliveries marks a run whose count did not add up; its figures are kept.
                failures += runs.Count(r => r.Extra.TryGetValue("verified", out var verified) && verified is false);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException or HttpRequestException or IOException or ArgumentException)
            {
                failures++;
                Measure.Say($"{scenario.Name}/{server} failed: {e.Message}");
            }
        }

        document.LoadAfter = ProcStat.LoadAverage();
        Measure.Say($"load average after: {document.LoadAfter}");
        Console.WriteLine(ResultTable.Render(document.Runs));
        if (jsonPath is not null)
        {
            await document.WriteAsync(jsonPath);
            Measure.Say($"wrote {jsonPath}");
        }

        if (svgPath is not null)
        {
            await File.WriteAllTextAsync(svgPath, SvgChart.Render(document.Runs, $"Fenix bench: {scenario.Name}"));
            Measure.Say($"wrote {svgPath}");
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary>Merges result files into one table and, optionally, one chart (for docs/benchmarks.md).</summary>
    public static async Task<int> ReportAsync(IReadOnlyList<string> inputs, string? svgPath, string? phoenixSvgPath, string title)
    {
        var runs = new List<RunResult>();
        foreach (var input in inputs)
        {
            var document = await BenchDocument.ReadAsync(input);
            Console.WriteLine($"<!-- {input}: load {document.LoadBefore} → {document.LoadAfter}; GC {document.Gc} -->");
            runs.AddRange(document.Runs);
        }

        Console.WriteLine(ResultTable.Render(runs));
        if (svgPath is not null)
        {
            await File.WriteAllTextAsync(svgPath, SvgChart.Render(runs, title));
        }

        if (phoenixSvgPath is not null)
        {
            await File.WriteAllTextAsync(phoenixSvgPath, PhoenixChart.Render(runs, "samples/Chat against Phoenix 1.7.24 (quoted) and Fenix before issue 13 (×N: the median of N runs)"));
        }

        return 0;
    }
}
