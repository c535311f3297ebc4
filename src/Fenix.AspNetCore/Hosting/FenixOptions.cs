using System.Text.Json;
using Fenix.Protocol;
using Fenix.PubSub;

namespace Fenix;

/// <summary>Server-wide settings of Fenix (per-mount settings are in <see cref="SocketMountOptions"/>).</summary>
public sealed class FenixOptions
{
    /// <summary>How application objects become payloads. Defaults to web conventions with relaxed escaping.</summary>
    public JsonSerializerOptions Json { get; set; } = PayloadJson.Options;

    /// <summary>This node's name in a cluster (defaults to host name and process id). Configuration key <c>Fenix:Node</c>.</summary>
    public string? NodeName { get; set; }

    /// <summary>Topics that keep a history of their broadcasts, so that clients recover what they missed (docs/history.md).</summary>
    public HistoryOptions History { get; } = new();

    /// <summary>Builds the adapter that carries broadcasts between nodes; null means a single node (in-process).</summary>
    public Func<IServiceProvider, string, IPubSubAdapter>? AdapterFactory { get; set; }

    /// <summary>
    /// Keep Kestrel's connection limits below the process's open-file limit so that a flood of connections is refused
    /// cleanly instead of exhausting descriptors (which aborts the process). On by default.
    /// </summary>
    public bool LimitConnectionsToFileDescriptors { get; set; } = true;

    /// <summary>Descriptors kept free for files, logs and outgoing connections when limiting connections.</summary>
    public int ReservedFileDescriptors { get; set; } = 512;

    /// <summary>Clients whose request headers take longer than this are dropped (Kestrel's RequestHeadersTimeout).</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

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
