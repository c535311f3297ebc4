using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fenix.Bench.Orchestration;

namespace Fenix.Bench.Results;

/// <summary>What <c>--json FILE</c> writes: the machine, how loaded it was, and every run.</summary>
public sealed class BenchDocument
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Tool { get; init; } = "fenix-bench";

    public DateTime StartedUtc { get; init; } = DateTime.UtcNow;

    public string Command { get; init; } = string.Join(' ', Environment.GetCommandLineArgs().Skip(1));

    public Dictionary<string, object> Machine { get; init; } = DescribeMachine();

    /// <summary>/proc/loadavg before and after: other work on the machine skews every figure.</summary>
    public string LoadBefore { get; set; } = ProcStat.LoadAverage();

    public string LoadAfter { get; set; } = "";

    public string Gc { get; set; } = "";

    public List<RunResult> Runs { get; init; } = [];

    public async Task WriteAsync(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, this, Json);
    }

    public static async Task<BenchDocument> ReadAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<BenchDocument>(stream, Json)
            ?? throw new InvalidDataException($"{path} holds no bench document.");
    }

    private static Dictionary<string, object> DescribeMachine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return new Dictionary<string, object>
        {
            ["cores"] = Environment.ProcessorCount,
            ["cpu"] = cpu ?? "unknown",
            ["memory_gb"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
        };
    }
}
