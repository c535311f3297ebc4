using System.Diagnostics.Metrics;
using Fenix.PubSub.Broker;
using Fenix.PubSub.RabbitMQ.Diagnostics;
using Fenix.PubSub.RabbitMQ.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fenix.PubSub.RabbitMQ;

/// <summary>
/// Carries PubSub messages between nodes through RabbitMQ. Each node owns an exclusive queue bound to one direct
/// exchange: once for all broadcasts (<see cref="RabbitMqRouting.Fanout"/>, the default: every node receives every
/// broadcast and keeps those of its topics), or once per topic with local subscribers (<see cref="RabbitMqRouting.PerTopic"/>:
/// a broadcast reaches only the nodes that want it). Direct messages go straight to the named node's queue.
/// </summary>
/// <remarks>
/// The <see cref="IPubSubAdapter"/> methods never block and never throw: messages are encoded on the caller's thread and
/// queued (bounded in bytes) for a publisher loop that pipelines them, packing consecutive messages for one destination
/// into one broker message; topic changes are recorded for a binder loop. While the broker is unreachable, messages for
/// other nodes are dropped (counted, logged) and local delivery goes on; the adapter reconnects with backoff and
/// re-declares its queue and the bindings of every topic active at that moment. Delivery is at most once.
/// </remarks>
public sealed partial class RabbitMqAdapter : IPubSubAdapter, IPubSubAdapterStatus
{
    private readonly AdapterContext _context;
    private readonly TimeProvider _time;

    /// <summary>Cancelled once, by <see cref="DisposeAsync"/>.</summary>
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>A session is open or not; set by the supervisor.</summary>
    private readonly BrokerLink _link = new(nameof(RabbitMqAdapter));

    /// <summary>The reconnect loop; null until started.</summary>
    private Task? _supervisor;

    /// <summary>0 → 1 when started, → 2 when disposed.</summary>
    private int _state;

    /// <param name="nodeName">This node's name, unique in the cluster (it names the node's queue).</param>
    /// <exception cref="InvalidOperationException">The options are incomplete or out of range (the message says what to fix).</exception>
    public RabbitMqAdapter(
        string nodeName,
        RabbitMqAdapterOptions options,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!BrokerNames.Fits(BrokerNames.NodeQueue(options.Prefix, nodeName)))
        {
            throw new ArgumentException(
                $"The node name \"{nodeName}\" is too long: its queue name must fit in {BrokerNames.MaxShortString} bytes.", nameof(nodeName));
        }

        _time = time ?? TimeProvider.System;
        var log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Fenix.PubSub.RabbitMQ");
        var outgoing = new OutgoingQueue(options.MaxOutgoingBytes);
        var metrics = new RabbitMqMetrics(meterFactory, nodeName, () => outgoing.QueuedBytes);
        _context = new AdapterContext(
            nodeName,
            options,
            new TopicBindings(_time, options.Routing == RabbitMqRouting.PerTopic ? options.UnbindDelay : TimeSpan.Zero),
            outgoing,
            metrics,
            new DropReporter(metrics.Dropped, log.Dropped, log.DroppedWhileStarting, _time, TimeSpan.FromSeconds(10)),
            log);
    }

    public string NodeName => _context.NodeName;

    /// <summary>The settings in use (do not change them once the adapter is built).</summary>
    public RabbitMqAdapterOptions Options => _context.Options;

    /// <summary>True while connected to the broker (messages for other nodes are sent only then).</summary>
    public bool IsConnected => _link.IsUp;

    /// <summary>The broker's host, port and virtual host, without credentials.</summary>
    public string Backend => _context.Options.Uri is { } uri
        ? $"RabbitMQ {uri.Scheme}://{uri.Host}:{(uri.IsDefaultPort || uri.Port < 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port)}{uri.AbsolutePath}"
        : "RabbitMQ";

    /// <summary>Running totals: published, received, dropped, reconnects, binding operations.</summary>
    public RabbitMqAdapterCounters Counters => _context.Metrics.Snapshot();

    public Task StartAsync(IPubSubInbound inbound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return Task.CompletedTask;
        }

        _context.Inbound = inbound;
        _supervisor = Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None);
        return WaitForFirstConnectionAsync(cancellationToken);
    }

    public void Broadcast(string topic, IPubSubMessage message) =>
        Enqueue(_context.Exchange, _context.BroadcastKey(topic), topic, message);

    public void DirectBroadcast(string nodeName, string topic, IPubSubMessage message)
    {
        var queue = BrokerNames.NodeQueue(_context.Options.Prefix, nodeName);
        if (!BrokerNames.Fits(queue))
        {
            _context.Drops.Dropped(1, "unknown_node"); // no node can have this name
            return;
        }

        Enqueue("", queue, topic, message); // the default exchange routes by queue name; no such queue, no delivery
    }

    public void TopicActivated(string topic) => _context.Bindings.Activate(topic);

    public void TopicDeactivated(string topic) => _context.Bindings.Deactivate(topic);

    /// <summary>
    /// Completes once the broker holds the bindings for every topic activated before the call (unbinds of deactivated
    /// topics are delayed by <see cref="RabbitMqAdapterOptions.UnbindDelay"/> and not waited for, unless it is zero).
    /// Waits for the broker while it is unreachable.
    /// </summary>
    public Task FlushTopologyAsync(CancellationToken cancellationToken = default) => _context.Bindings.FlushAsync(cancellationToken);

    /// <summary>Completes when the adapter is connected to the broker (at once if it is).</summary>
    public Task WaitForConnectionAsync(CancellationToken cancellationToken = default) => _link.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        await _stopping.CancelAsync();
        _context.Outgoing.Complete();
        _link.Close();
        if (_supervisor is not null)
        {
            await _supervisor.ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        _context.Drops.Dropped(_context.Outgoing.DropAll(), "stopped");
        _context.Metrics.Dispose();
        _stopping.Dispose();
    }

    private void Enqueue(string exchange, string routingKey, string topic, IPubSubMessage message)
    {
        if (!_link.IsUp)
        {
            // Before the first connection (e.g. presence gossip at startup) is expected and only counted.
            _context.Drops.Dropped(1, _link.DropReason);
            return;
        }

        var outgoing = _context.Outgoing;
        if (outgoing.QueuedBytes >= _context.Options.MaxOutgoingBytes)
        {
            _context.Drops.Dropped(1, "queue_full");
            return;
        }

        var epoch = _context.Epoch; // read after seeing the session up: a later session drops this message
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
            _context.Log.EncodeFailed(topic, codec ?? "(unknown)", e);
            _context.Drops.Dropped(1, "encode_failed");
            return;
        }

        var (buffer, length) = writer.Detach();
        var queued = new OutgoingMessage(exchange, routingKey, topic, codec, buffer, length, epoch);
        if (!outgoing.TryEnqueue(queued))
        {
            queued.Release();
            _context.Drops.Dropped(1, "queue_full");
        }
    }

    private async Task WaitForFirstConnectionAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _link.FirstLink.WaitAsync(_context.Options.StartupTimeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            _context.Log.StartedWithoutBroker(_context.Endpoint, _context.Options.StartupTimeout, NodeName);
        }
        catch (OperationCanceledException)
        {
            // The host gave up starting; the adapter keeps trying until disposed.
        }
    }
}
