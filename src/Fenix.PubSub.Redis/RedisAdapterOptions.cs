using StackExchange.Redis;

namespace Fenix.PubSub.Redis;

/// <summary>
/// Settings of <see cref="RedisAdapter"/>. Every node of a cluster must use the same Redis (or Redis Cluster) and the
/// same <see cref="Prefix"/>; the other settings are per node.
/// </summary>
public sealed class RedisAdapterOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or
    /// <c>redis1:6379,redis2:6379,password=…,ssl=true</c>. Configuration key <c>Fenix:Redis</c>.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Names this cluster's pub/sub channel, <c>&lt;prefix&gt;:cluster</c>: several clusters may share a Redis with
    /// different prefixes. Default <c>fenix</c>.
    /// </summary>
    public string Prefix { get; set; } = "fenix";

    /// <summary>
    /// Bytes of messages waiting to be published (encoded size plus a small per-message overhead). A broadcast that does
    /// not fit is dropped, counted and logged: a stalled Redis costs this much memory at most. Default 16 MB.
    /// </summary>
    public long MaxOutgoingBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Consecutive messages for the same destination travel in one PUBLISH of at most this many bytes. Default 64 KB.</summary>
    public int MaxBatchBytes { get; set; } = 64 * 1024;

    /// <summary>...and at most this many messages. Default 256.</summary>
    public int MaxBatchMessages { get; set; } = 256;

    /// <summary>PUBLISH commands sent but not yet answered; beyond it the publisher waits (and the outgoing bound applies). Default 64.</summary>
    public int MaxPendingPublishes { get; set; } = 64;

    /// <summary>First pause before reconnecting after Redis was lost; it doubles on each failure... Default 100 ms.</summary>
    public TimeSpan ReconnectDelayMin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>...up to this. Default 5 s.</summary>
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long starting the adapter waits for Redis; the node starts anyway (alone) after it. Default 5 s.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the node checks its pub/sub path end to end: it publishes a probe to itself through the cluster channel
    /// and expects it back within <see cref="ProbeTimeout"/> (which also detects another node using the same name). Default 5 s.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A probe not back within this means the node is not connected (messages for other nodes are dropped). Default 3 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Adjusts the StackExchange.Redis options after Fenix configured them (certificates, credentials providers, tunnels).</summary>
    public Action<ConfigurationOptions>? ConfigureOptions { get; set; }

    /// <summary>Throws with a message that says what to fix when a setting is out of range or the configuration string is bad.</summary>
    public void Validate()
    {
        _ = ToConfigurationOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(Prefix, nameof(Prefix));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutgoingBytes, 1024, nameof(MaxOutgoingBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 256, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchMessages, 1, nameof(MaxBatchMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingPublishes, 1, nameof(MaxPendingPublishes));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectDelayMin, TimeSpan.FromMilliseconds(1), nameof(ReconnectDelayMin));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectDelayMax, ReconnectDelayMin, nameof(ReconnectDelayMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(StartupTimeout, TimeSpan.Zero, nameof(StartupTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbeInterval, TimeSpan.FromMilliseconds(10), nameof(ProbeInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProbeTimeout, TimeSpan.FromMilliseconds(10), nameof(ProbeTimeout));
    }

    /// <summary>
    /// The StackExchange.Redis options for <see cref="Configuration"/>, with the adapter's connection behaviour: never give
    /// up connecting (the node serves locally meanwhile), fail commands at once while disconnected (nothing is held for
    /// later), reconnect with this backoff.
    /// </summary>
    /// <exception cref="InvalidOperationException">The configuration string is missing or cannot be used (the message says why).</exception>
    public ConfigurationOptions ToConfigurationOptions()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
        {
            throw new InvalidOperationException(
                "RedisAdapterOptions.Configuration is not set: pass a StackExchange.Redis configuration string, e.g. UseRedis(\"127.0.0.1:6379\"), " +
                "or set the configuration key Fenix:Redis.");
        }

        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(Configuration);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(
                $"The Redis configuration \"{Redact(Configuration)}\" cannot be parsed: {e.Message} Expected a StackExchange.Redis configuration " +
                "string such as \"127.0.0.1:6379\" or \"host1:6379,host2:6379,password=…,ssl=true\" (configuration key Fenix:Redis).", e);
        }

        if (options.EndPoints.Count == 0 || Configuration.Contains("://", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The Redis configuration \"{Redact(Configuration)}\" names no usable endpoint: expected host:port (e.g. \"127.0.0.1:6379\"), " +
                "not a URI, followed by options separated by commas (configuration key Fenix:Redis).");
        }

        options.SetDefaultPorts();
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry((int)ReconnectDelayMin.TotalMilliseconds, (int)ReconnectDelayMax.TotalMilliseconds);
        ConfigureOptions?.Invoke(options);
        return options;
    }

    /// <summary>The configuration string without secrets, for messages and logs.</summary>
    internal static string Redact(string configuration) =>
        string.Join(',', configuration.Split(',').Select(part =>
            part.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : part));
}
