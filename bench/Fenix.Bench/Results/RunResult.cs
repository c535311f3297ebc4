using System.Text.Json.Serialization;

namespace Fenix.Bench.Results;

/// <summary>
/// One scenario run against one server: the fields other tools read (see docs/benchmarks.md), plus extras.
/// A figure that does not apply to the scenario is null.
/// </summary>
public sealed class RunResult
{
    public required string Scenario { get; init; }

    public required string Server { get; init; }

    /// <summary>Connections that were open and joined.</summary>
    public int Connections { get; init; }

    /// <summary>Messages received by clients per second (fanout: during the burst; chat: at the offered rate).</summary>
    public double? DeliveriesPerS { get; init; }

    /// <summary>Publish→receive latency (idle: connect+join latency).</summary>
    public double? P50Ms { get; init; }

    public double? P99Ms { get; init; }

    /// <summary>Server CPU (user + system) per delivered message, in µs.</summary>
    public double? CpuUsPerDelivery { get; init; }

    /// <summary>Server resident memory per connection after a full GC, minus the empty server's.</summary>
    public double? BytesPerConnection { get; init; }

    /// <summary>Wall time of the measured part of the run.</summary>
    public double Seconds { get; init; }

    /// <summary>Scenario-specific figures (snake_case names), written beside the fields above.</summary>
    [JsonExtensionData]
    public Dictionary<string, object?> Extra { get; init; } = [];

    /// <summary>A numeric scenario figure, whether set by this run or read back from a results file; null when absent.</summary>
    public double? Number(string key) => Extra.TryGetValue(key, out var value) ? value switch
    {
        double d => d,
        long l => l,
        int i => i,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => e.GetDouble(),
        _ => null,
    } : null;
}
