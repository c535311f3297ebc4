using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Fenix.PubSub.Broker;
using Fenix.PubSub.Redis.Diagnostics;
using Fenix.PubSub.Redis.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Fenix.PubSub.Redis;

/// <summary>
/// Carries PubSub messages between nodes through Redis pub/sub (StackExchange.Redis). Every node subscribes to one
/// channel per cluster, <c>&lt;prefix&gt;:cluster</c>, publishes its broadcasts and direct messages there, and keeps
/// what concerns it: broadcasts on topics with local subscribers, direct messages addressed to it — Phoenix's Redis
/// adapter's model. One channel keeps each publisher's messages in order across topics, and lets consecutive messages
/// share one PUBLISH.
/// </summary>
/// <remarks>
/// The <see cref="IPubSubAdapter"/> methods never block and never throw: messages are encoded on the caller's thread and
/// queued (bounded in bytes) for a publisher loop that pipelines PUBLISH commands. While Redis is unreachable, messages
/// for other nodes are dropped (counted, logged) and local delivery goes on; the client reconnects and resubscribes with
/// backoff, and the node counts itself connected again once a probe it publishes to itself comes back through the
/// channel. Nothing queued before a loss is published after it. Delivery is at most once.
/// </remarks>
public sealed partial class RedisAdapter : IPubSubAdapter, IPubSubAdapterStatus
{
    private readonly ConfigurationOptions _configuration;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly RedisMetrics _metrics;
    private readonly DropReporter _drops;
    private readonly OutgoingQueue _outgoing;

    /// <summary>Topics with local subscribers. Written by PubSub (under its per-topic lock), read by the receive loop.</summary>
    private readonly ConcurrentDictionary<string, byte> _topics = new(StringComparer.Ordinal);

    private readonly RedisChannel _channel;
    private readonly byte[] _nodeNameUtf8;

    /// <summary>Tells this process's probes from those of another process with the same node name.</summary>
    private readonly Guid _instance = Guid.NewGuid();

    /// <summary>Cancelled once, by <see cref="DisposeAsync"/>.</summary>
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>In the cluster (the node's probe came back) or not; set by the supervisor.</summary>
    private readonly BrokerLink _link = new(nameof(RedisAdapter));

    /// <summary>
    /// Counts the times the node joined the cluster: a message is stamped with the epoch current when it was queued and
    /// published only in that epoch. Written by the supervisor.
    /// </summary>
    private int _epoch;

    /// <summary>0 → 1 when started, → 2 when disposed.</summary>
    private int _state;

    /// <summary>Where received messages go; set once by <see cref="StartAsync"/> before any loop runs.</summary>
    private IPubSubInbound _inbound = null!;

    /// <summary>The supervisor and publisher loops; added by <see cref="StartAsync"/> only.</summary>
    private readonly List<Task> _loops = [];

    /// <param name="nodeName">This node's name, unique in the cluster.</param>
    /// <exception cref="InvalidOperationException">The options are incomplete or out of range (the message says what to fix).</exception>
    public RedisAdapter(
        string nodeName,
        RedisAdapterOptions options,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        NodeName = nodeName;
        Options = options;
        _configuration = options.ToConfigurationOptions();
        _time = time ?? TimeProvider.System;
        _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Fenix.PubSub.Redis");
        _outgoing = new OutgoingQueue(options.MaxOutgoingBytes);
        _metrics = new RedisMetrics(meterFactory, nodeName, () => _outgoing.QueuedBytes, () => ReceiveBacklog);
        _drops = new DropReporter(_metrics.Dropped, _log.Dropped, _log.DroppedWhileStarting, _time, TimeSpan.FromSeconds(10));
        ChannelName = $"{options.Prefix}:cluster";
        _channel = RedisChannel.Literal(ChannelName);
        _nodeNameUtf8 = Encoding.UTF8.GetBytes(nodeName);
        Endpoint = string.Join(",", _configuration.EndPoints.Select(Describe));
        _batch = new BatchBuilder(HeaderFor, options.MaxBatchBytes, options.MaxBatchMessages);
    }

    public string NodeName { get; }

    /// <summary>The settings in use (do not change them once the adapter is built).</summary>
    public RedisAdapterOptions Options { get; }

    /// <summary>The pub/sub channel of this cluster (before any channel prefix of the StackExchange.Redis configuration).</summary>
    public string ChannelName { get; }

    /// <summary>The configured endpoints, for logs and health reports.</summary>
    public string Endpoint { get; }

    /// <summary>True while the node is in the cluster: connected, and its probe came back through the channel.</summary>
    public bool IsConnected => _link.IsUp;

    /// <summary>Redis's endpoint, for health reports and the dashboard (never the password).</summary>
    public string Backend => $"Redis {Endpoint}";

    /// <summary>Running totals: published, received, dropped, reconnects.</summary>
    public RedisAdapterCounters Counters => _metrics.Snapshot();

    public async Task StartAsync(IPubSubInbound inbound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return;
        }

        _inbound = inbound;
        await CheckEndpointsAsync(cancellationToken); // a configuration that points at something else fails here, clearly
        _loops.Add(Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => PublishLoopAsync(_stopping.Token), CancellationToken.None));
        try
        {
            await _link.FirstLink.WaitAsync(Options.StartupTimeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            _log.StartedWithoutRedis(Endpoint, Options.StartupTimeout, NodeName);
        }
        catch (OperationCanceledException)
        {
            // The host gave up starting; the adapter keeps trying until disposed.
        }
    }

    public void Broadcast(string topic, IPubSubMessage message) => Enqueue(RedisEnvelope.EveryNode, topic, message);

    public void DirectBroadcast(string nodeName, string topic, IPubSubMessage message)
    {
        if (string.IsNullOrEmpty(nodeName))
        {
            _drops.Dropped(1, "unknown_node"); // no node can have this name
            return;
        }

        Enqueue(nodeName, topic, message); // every node reads the channel; only the named one keeps it
    }

    public void TopicActivated(string topic) => _topics[topic] = 0;

    public void TopicDeactivated(string topic) => _topics.TryRemove(topic, out _);

    /// <summary>Completes when the node is in the cluster (at once if it is).</summary>
    public Task WaitForConnectionAsync(CancellationToken cancellationToken = default) => _link.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        await _stopping.CancelAsync();
        _outgoing.Complete();
        _link.Close();
        Wake();
        await Task.WhenAll(_loops).ContinueWith(static _ => { }, TaskScheduler.Default);
        if (_receiver is { } receiver)
        {
            await receiver.ContinueWith(static _ => { }, TaskScheduler.Default); // ends with the connection, closed by the supervisor
        }

        _drops.Dropped(_outgoing.DropAll(), "stopped");

        _metrics.Dispose();
        _stopping.Dispose();
    }

    private void Enqueue(string target, string topic, IPubSubMessage message)
    {
        if (!_link.IsUp)
        {
            // Before the first connection (e.g. presence gossip at startup) is expected and only counted.
            _drops.Dropped(1, _link.DropReason);
            return;
        }

        if (_outgoing.QueuedBytes >= Options.MaxOutgoingBytes)
        {
            _drops.Dropped(1, "queue_full");
            return;
        }

        var epoch = Volatile.Read(ref _epoch); // read after seeing the node connected: a later epoch drops this message
        string? codec = null;
        var writer = new PooledBufferWriter();
        try
        {
            codec = message.Codec;
            message.Encode(writer);
        }
        catch (Exception e)
        {
            writer.Dispose();
            _log.EncodeFailed(topic, codec ?? "(unknown)", e);
            _drops.Dropped(1, "encode_failed");
            return;
        }

        var (buffer, length) = writer.Detach();
        var queued = new OutgoingMessage(ChannelName, target, topic, codec, buffer, length, epoch);
        if (!_outgoing.TryEnqueue(queued))
        {
            queued.Release();
            _drops.Dropped(1, "queue_full");
        }
    }

    /// <summary>Refuses to start when an endpoint answers but is not Redis (a wrong port, TLS expected): retrying would never help.</summary>
    private async Task CheckEndpointsAsync(CancellationToken cancellationToken)
    {
        if (!EndpointCheck.Applies(_configuration))
        {
            return;
        }

        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(Options.StartupTimeout.TotalMilliseconds, 200, 2000));
        foreach (var endpoint in _configuration.EndPoints)
        {
            var (outcome, detail) = await EndpointCheck.CheckAsync(endpoint, timeout, _time, cancellationToken);
            if (outcome == EndpointCheck.Outcome.NotRedis)
            {
                throw new InvalidOperationException(
                    $"Redis is configured at {Describe(endpoint)} (Fenix:Redis \"{RedisAdapterOptions.Redact(Options.Configuration!)}\"), but what listens there " +
                    $"is not Redis: {detail}. Check the host and port, or add \",ssl=true\" if that Redis expects TLS.");
            }
        }
    }

    private byte[] HeaderFor(string target) =>
        target.Length == 0 ? _broadcastHeader ??= RedisEnvelope.Header(NodeName, target) : RedisEnvelope.Header(NodeName, target);

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "?",
    };
}
