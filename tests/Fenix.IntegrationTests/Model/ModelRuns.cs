using System.Collections.Concurrent;
using System.Globalization;

namespace Fenix.IntegrationTests.Model;

/// <summary>
/// How many seeded runs a model test makes, and how a failing one is replayed. Environment variables:
/// <c>FENIX_MODEL_SEED</c> runs one seed (replay), <c>FENIX_MODEL_RUNS</c> overrides the number of runs,
/// <c>FENIX_MODEL_SOAK_SECONDS</c> runs fresh seeds until the time is up (the long soak, not in CI).
/// </summary>
internal static class ModelRuns
{
    public static async Task<(int Runs, List<string> Failures)> RunAsync(int defaultRuns, int firstSeed, int parallelism, Func<int, Task<string?>> run)
    {
        var failures = new ConcurrentBag<string>();
        var count = 0;
        async Task One(int seed)
        {
            string? failure;
            try
            {
                failure = await run(seed);
            }
            catch (Exception e)
            {
                failure = e.ToString();
            }

            Interlocked.Increment(ref count);
            if (failure is not null)
            {
                failures.Add($"seed {seed}: {failure}");
            }
        }

        if (Environment.GetEnvironmentVariable("FENIX_MODEL_SEED") is { Length: > 0 } replay)
        {
            await One(int.Parse(replay, CultureInfo.InvariantCulture));
        }
        else if (Environment.GetEnvironmentVariable("FENIX_MODEL_SOAK_SECONDS") is { Length: > 0 } soak)
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(int.Parse(soak, CultureInfo.InvariantCulture));
            var next = Environment.TickCount & 0xFFFFFF;
            await Parallel.ForEachAsync(
                Seeds(),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                async (seed, _) => await One(seed));

            IEnumerable<int> Seeds()
            {
                while (DateTime.UtcNow < until && failures.IsEmpty)
                {
                    yield return Interlocked.Increment(ref next);
                }
            }
        }
        else
        {
            var runs = Environment.GetEnvironmentVariable("FENIX_MODEL_RUNS") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : defaultRuns;
            await Parallel.ForEachAsync(
                Enumerable.Range(firstSeed, runs),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                async (seed, _) => await One(seed));
        }

        return (count, [.. failures.OrderBy(f => f, StringComparer.Ordinal)]);
    }

    public static string Report(string test, int runs, List<string> failures) =>
        $"{failures.Count} of {runs} runs diverged from the model. Replay one with FENIX_MODEL_SEED=<seed> dotnet test tests/Fenix.IntegrationTests --filter FullyQualifiedName~{test}\n"
        + string.Join("\n\n", failures.Take(3));
}
