using RabbitMQ.Client;

namespace Fenix.PubSub.RabbitMQ;

/// <summary>
/// Settings of <see cref="RabbitMqAdapter"/>. Every node of a cluster must use the same broker, virtual host and
/// <see cref="Prefix"/>; the other settings are per node.
/// </summary>
public sealed class RabbitMqAdapterOptions
{
    /// <summary>The broker, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c> (<c>amqps://</c> for TLS). Configuration key <c>Fenix:RabbitMQ</c>.</summary>
    public Uri? Uri { get; set; }

    /// <summary>
    /// Names this cluster's broker objects: the exchange <c>&lt;prefix&gt;.broadcast</c> and the node queues
    /// <c>&lt;prefix&gt;.node.&lt;node name&gt;</c>. Several clusters may share a broker with different prefixes. Default <c>fenix</c>.
    /// </summary>
    public string Prefix { get; set; } = "fenix";

    /// <summary>How broadcasts reach the nodes that want them (see <see cref="RabbitMqRouting"/>). Default <see cref="RabbitMqRouting.Fanout"/>.</summary>
    public RabbitMqRouting Routing { get; set; } = RabbitMqRouting.Fanout;

    /// <summary>
    /// Bytes of messages waiting to be published (encoded size plus a small per-message overhead). A broadcast that does
    /// not fit is dropped, counted and logged: a stalled broker costs this much memory at most. Default 16 MB.
    /// </summary>
    public long MaxOutgoingBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Consecutive messages for the same destination travel in one broker message of at most this many bytes. Default 64 KB.</summary>
    public int MaxBatchBytes { get; set; } = 64 * 1024;

    /// <summary>...and at most this many messages. Default 256.</summary>
    public int MaxBatchMessages { get; set; } = 256;

    /// <summary>Broker messages delivered to this node but not yet processed (AMQP prefetch); bounds the receive buffer. Default 512.</summary>
    public ushort PrefetchCount { get; set; } = 512;

    /// <summary>
    /// Longest this node's queue may grow on the broker while the node is slow; beyond it the oldest messages are
    /// dropped (<c>x-max-length</c>, drop-head). Default 100 000 broker messages.
    /// </summary>
    public int MaxQueueLength { get; set; } = 100_000;

    /// <summary>
    /// <see cref="RabbitMqRouting.PerTopic"/> only: how long a topic's binding is kept after its last local subscriber left, so that a quick rejoin costs no broker
    /// round trips (broadcasts arriving meanwhile are discarded here). Zero unbinds at once. Default 5 s.
    /// </summary>
    public TimeSpan UnbindDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First pause before reconnecting after the broker was lost; it doubles on each failure... Default 100 ms.</summary>
    public TimeSpan ReconnectDelayMin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>...up to this (with jitter). Default 5 s.</summary>
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long starting the adapter waits for the first connection; the node starts anyway (alone) after it. Default 5 s.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>AMQP heartbeat: a silent broker is considered lost after about two of these. Default 10 s.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Adjusts the connection factory after Fenix configured it (TLS, credentials provider, endpoints).</summary>
    public Action<ConnectionFactory>? ConfigureConnectionFactory { get; set; }

    /// <summary>Throws with a message that says what to fix when a setting is out of range.</summary>
    public void Validate()
    {
        if (Uri is null)
        {
            throw new InvalidOperationException(
                "RabbitMqAdapterOptions.Uri is not set: pass the broker's URI, e.g. UseRabbitMQ(\"amqp://guest:guest@127.0.0.1:5672/\"), " +
                "or set the configuration key Fenix:RabbitMQ.");
        }

        if (Uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new InvalidOperationException($"RabbitMqAdapterOptions.Uri must be an amqp:// or amqps:// URI, not \"{Uri.Scheme}://\".");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Prefix, nameof(Prefix));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutgoingBytes, 1024, nameof(MaxOutgoingBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 256, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchMessages, 1, nameof(MaxBatchMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(PrefetchCount, (ushort)4, nameof(PrefetchCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueLength, 1, nameof(MaxQueueLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(UnbindDelay, TimeSpan.Zero, nameof(UnbindDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectDelayMin, TimeSpan.FromMilliseconds(1), nameof(ReconnectDelayMin));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectDelayMax, ReconnectDelayMin, nameof(ReconnectDelayMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(StartupTimeout, TimeSpan.Zero, nameof(StartupTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(Heartbeat, TimeSpan.FromSeconds(1), nameof(Heartbeat));
    }
}
