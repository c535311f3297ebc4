using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fenix.Bench.Shared;

/// <summary>
/// One line on a load generator's standard input. The coordinator sends one command, then reads lines from the load
/// generator's standard output until the reply event; a load generator handles its commands one at a time.
/// </summary>
public sealed record LoadGenCommand
{
    /// <summary>connect | chat | publish | progress | report | reset | close.</summary>
    public required string Op { get; init; }

    /// <summary>connect: fenix | fenix-direct | signalr | kestrel-ws | fenix-presence | chat (samples/Chat).</summary>
    public string? Server { get; init; }

    /// <summary>connect: <c>http://127.0.0.1:port</c>.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>connect: the address this process's sockets bind to (127.0.0.x), so each process has its own ephemeral ports.</summary>
    public string? SourceAddress { get; init; }

    /// <summary>connect: how many connections; <see cref="First"/> is the global index of the first one.</summary>
    public int Count { get; init; }

    public int First { get; init; }

    /// <summary>connect: the topic; with <see cref="RoomSize"/> &gt; 0, connection i joins <c>{Topic}{i / RoomSize}</c>.</summary>
    public string? Topic { get; init; }

    public int RoomSize { get; init; }

    /// <summary>connect: connections opened at once.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>connect: only open the socket (and the protocol's handshake), join no topic.</summary>
    public bool NoJoin { get; init; }

    /// <summary>
    /// connect: open the connections with <see cref="LoadGen.LeanConnector"/> (raw sockets, pre-encoded frames) where the
    /// wire allows it, so the load generators' CPU per connect stays well below the server's.
    /// </summary>
    public bool Lean { get; init; }

    /// <summary>connect: how long one connection may take to connect and be answered its join (0: 30 s).</summary>
    public double JoinTimeoutSeconds { get; init; }

    /// <summary>publish: the global index of the one connection that sends (paced fan-out's publisher).</summary>
    public int Publisher { get; init; }

    /// <summary>reset: broadcast sequence numbers to track (latency of the slowest receive, and each connection's exactly-once count).</summary>
    public long PerConnection { get; init; }

    public double Seconds { get; init; }

    /// <summary>chat: messages per second per connection (publish: of the publisher), and the message size in bytes.</summary>
    public double Rate { get; init; }

    public int Size { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };
}

/// <summary>One line on a load generator's standard output: the answer to a command.</summary>
public sealed record LoadGenEvent
{
    /// <summary>connected | expecting | awaited | chatted | report | reset | closed | error.</summary>
    public required string Ev { get; init; }

    public int Ok { get; init; }

    public int Failed { get; init; }

    public string? FirstError { get; init; }

    /// <summary>Stopwatch timestamps (CLOCK_MONOTONIC ns, comparable across processes on this machine).</summary>
    public long StartTs { get; init; }

    public long EndTs { get; init; }

    /// <summary>Messages received (with a timestamp) since the last reset, and sent (chat).</summary>
    public long Received { get; init; }

    public long Sent { get; init; }

    /// <summary>Whether every connection received what <c>expect</c> asked for before <c>await</c> gave up.</summary>
    public bool Complete { get; init; }

    /// <summary>Earliest publish/send timestamp seen in a message, and latest receive timestamp.</summary>
    public long FirstSentTs { get; init; }

    public long LastReceivedTs { get; init; }

    /// <summary>Latency histogram counts (see <see cref="LatencyHistogram"/>) of publish→receive, and of connect+join.</summary>
    public long[]? Latency { get; init; }

    public long[]? ConnectLatency { get; init; }

    /// <summary>fanout: per broadcast sequence number, the slowest receive here in µs (-1: none received).</summary>
    public long[]? SeqMaxMicros { get; init; }

    /// <summary>Connections that closed or failed since connecting.</summary>
    public int Dropped { get; init; }

    /// <summary>presence: connections whose member list has the expected count, and presence frames received.</summary>
    public int Agreed { get; init; }

    public long PresenceFrames { get; init; }

    /// <summary>
    /// report, after a reset that tracked sequence numbers: connections that received every tracked broadcast exactly
    /// once; tracked broadcasts that never arrived (summed over connections); copies beyond the first, or unknown numbers.
    /// </summary>
    public int ExactlyOnce { get; init; }

    public long Missing { get; init; }

    public long Extra { get; init; }
}
