using Fenix.Bench.Orchestration;

namespace Fenix.Bench.Scenarios;

/// <summary>Sizes of a run: what the options said, else the scenario's default or <c>--quick</c> preset.</summary>
internal sealed record ScenarioSettings
{
    public bool Quick { get; init; }

    public GcMode Gc { get; init; }

    /// <summary>At least this many load generator processes (more when connections exceed 19,000 per process).</summary>
    public int LoadGens { get; init; } = 2;

    /// <summary>idle/fanout: connections; presence: users.</summary>
    public int? Connections { get; init; }

    /// <summary>fanout: broadcasts in the burst; size of each message in bytes.</summary>
    public int? Messages { get; init; }

    public int? Size { get; init; }

    /// <summary>fanout: broadcasts per second in the paced (latency) phase, and how many.</summary>
    public double? PacedRate { get; init; }

    public int? PacedMessages { get; init; }

    /// <summary>chat: rooms, members per room, messages per second per member, seconds of sending.</summary>
    public int? Rooms { get; init; }

    public int? Members { get; init; }

    public double? Rate { get; init; }

    public double? Duration { get; init; }

    /// <summary>presence: the diff coalescing window of the second run, in ms.</summary>
    public int? CoalesceMs { get; init; }

    /// <summary>Record an EventPipe trace of the server to this file (one server at a time).</summary>
    public string? TracePath { get; init; }

    /// <summary>Keep the server and its connections this many seconds after measuring, to attach a profiler.</summary>
    public int HoldSeconds { get; init; }

    /// <summary>The trace file for <paramref name="server"/>: with <c>--compare</c>, each server gets its own.</summary>
    public string? TraceFor(string server) =>
        TracePath is null ? null : Path.ChangeExtension(TracePath, null) + "-" + server + ".nettrace";

    public int Pick(int? value, int normal, int quick) => value ?? (Quick ? quick : normal);

    public double Pick(double? value, double normal, double quick) => value ?? (Quick ? quick : normal);
}
