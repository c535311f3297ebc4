namespace Fenix.Bench.Orchestration;

/// <summary>
/// CPU time (user + system, µs, from /proc) of every process of a multi-process run at one instant: each server node,
/// the load generators together, and the broker. Subtract two readings for a window.
/// </summary>
internal sealed record CpuReading(long[] Nodes, long LoadGens, long Broker)
{
    public long NodesTotal => Nodes.Sum();

    public static CpuReading Take(IReadOnlyList<ServerUnderTest> nodes, LoadGenFleet fleet, BrokerUnderTest broker) =>
        new([.. nodes.Select(n => n.CpuMicros())], fleet.CpuMicros(), broker.CpuMicros());

    public static CpuReading operator -(CpuReading a, CpuReading b) =>
        new([.. a.Nodes.Select((n, i) => n - b.Nodes[i])], a.LoadGens - b.LoadGens, a.Broker - b.Broker);

    /// <summary>This window's usage as µs of CPU per second of wall time.</summary>
    public CpuRate PerSecond(double seconds) =>
        new([.. Nodes.Select(n => n / seconds)], LoadGens / seconds, Broker / seconds);
}

/// <summary>CPU µs per second of wall time, per process group (see <see cref="CpuReading"/>).</summary>
internal sealed record CpuRate(double[] Nodes, double LoadGens, double Broker);
