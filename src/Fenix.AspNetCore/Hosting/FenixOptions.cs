using System.Text.Json;
using Fenix.Protocol;
using Fenix.PubSub;

namespace Fenix;

/// <summary>
/// Server-wide settings of Fenix (per-mount settings are in <see cref="SocketMountOptions"/>). Bound from the
/// configuration section <c>Fenix</c> (e.g. <c>Fenix:DrainTimeout</c>), then from code; validated when the host starts.
/// </summary>
public sealed class FenixOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string Section = "Fenix";

    /// <summary>How application objects become payloads. Defaults to web conventions with relaxed escaping.</summary>
    public JsonSerializerOptions Json { get; set; } = new(PayloadJson.Options);

    /// <summary>This node's name in a cluster (defaults to host name and process id). Configuration key <c>Fenix:Node</c>.</summary>
    public string? NodeName { get; set; }

    /// <summary>Topics that keep a history of their broadcasts, so that clients recover what they missed (docs/history.md).</summary>
    public HistoryOptions History { get; } = new();

    /// <summary>Builds the adapter that carries broadcasts between nodes (set with <see cref="UseAdapter"/>); null means a single node (in-process).</summary>
    public Func<IServiceProvider, string, IPubSubAdapter>? AdapterFactory { get; private set; }

    /// <summary>
    /// Keep Kestrel's connection limits below the process's open-file limit so that a flood of connections is refused
    /// cleanly instead of exhausting descriptors (which aborts the process). On by default: Fenix then sets Kestrel's
    /// <c>MaxConcurrentConnections</c> and <c>MaxConcurrentUpgradedConnections</c> to the open-file limit minus what the
    /// process holds and <see cref="ReservedFileDescriptors"/> — only where you left them unset. False leaves them alone.
    /// </summary>
    public bool LimitConnectionsToFileDescriptors { get; set; } = true;

    /// <summary>Descriptors kept free for files, logs and outgoing connections when limiting connections.</summary>
    public int ReservedFileDescriptors { get; set; } = 512;

    /// <summary>
    /// How far in the future a <see cref="FenixToken"/>'s signing time may lie and still verify (default 5 s): nodes'
    /// clocks differ a little, and a token signed on one node is often verified on another at once.
    /// </summary>
    public TimeSpan TokenClockSkew { get; set; } = FenixToken.DefaultClockSkew;

    /// <summary>
    /// Clients whose request headers take longer than this are dropped: Fenix lowers Kestrel's
    /// <c>Limits.RequestHeadersTimeout</c> from its default 30 s to this value (15 s), so that half-open connections
    /// cannot hold descriptors long. Applied only while Kestrel's value is still its default; null leaves Kestrel alone.
    /// </summary>
    public TimeSpan? RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>On shutdown, connections are asked to reconnect elsewhere (close 1012) in batches of this size...</summary>
    public int DrainBatchSize { get; set; } = 10_000;

    /// <summary>...with this pause between batches...</summary>
    public TimeSpan DrainInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>...for at most this long.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Uses <paramref name="factory"/> to build the cluster adapter (the factory receives the node name).</summary>
    public FenixOptions UseAdapter(Func<IServiceProvider, string, IPubSubAdapter> factory)
    {
        AdapterFactory = factory;
        return this;
    }
}
