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

    /// <summary>A shell command run over the measured window (see <see cref="Orchestration.DuringCommand"/>).</summary>
    public string? During { get; init; }

    /// <summary>idle: connect without joining a topic (the independent harness's idle shape for samples/Chat).</summary>
    public bool NoJoin { get; init; }

    /// <summary>idle: connect with the lean connector (raw sockets) instead of ClientWebSocket, where the wire allows it.</summary>
    public bool LeanClient { get; init; } = true;

    /// <summary>paced: who publishes, a member of the room (client, the harness's shape) or the server's own API (server).</summary>
    public string Publisher { get; init; } = "client";

    /// <summary>cluster: nodes, the pub/sub backend (rabbitmq, redis) and its address (default: the local broker).</summary>
    public int Nodes { get; init; }

    public string Backend { get; init; } = "rabbitmq";

    public string? BrokerUri { get; init; }

    /// <summary>presence: run the no-coalescing case only (samples/Chat runs as shipped, so always).</summary>
    public bool DefaultOnly { get; init; }

    /// <summary>How many times to run each server (fresh process each time); the table gets every run.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>The trace file for <paramref name="server"/>: with <c>--compare</c>, each server gets its own.</summary>
    public string? TraceFor(string server) =>
        TracePath is null ? null : Path.ChangeExtension(TracePath, null) + "-" + server + ".nettrace";

    public int Pick(int? value, int normal, int quick) => value ?? (Quick ? quick : normal);

    public double Pick(double? value, double normal, double quick) => value ?? (Quick ? quick : normal);
}
