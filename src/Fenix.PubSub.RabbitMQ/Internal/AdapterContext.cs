using System.Text;
using Fenix.PubSub.Broker;
using Fenix.PubSub.RabbitMQ.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Fenix.PubSub.RabbitMQ.Internal;

/// <summary>What a broker session shares with its adapter: settings, names, the desired topics and the outgoing queue.</summary>
internal sealed class AdapterContext(
    string nodeName,
    RabbitMqAdapterOptions options,
    TopicBindings bindings,
    OutgoingQueue outgoing,
    RabbitMqMetrics metrics,
    DropReporter drops,
    ILogger log)
{
    private int _epoch;

    public string NodeName { get; } = nodeName;

    public byte[] NodeNameUtf8 { get; } = Encoding.UTF8.GetBytes(nodeName);

    public RabbitMqAdapterOptions Options { get; } = options;

    public string Exchange { get; } = BrokerNames.BroadcastExchange(options.Prefix);

    public string Queue { get; } = BrokerNames.NodeQueue(options.Prefix, nodeName);

    /// <summary>True with <see cref="RabbitMqRouting.PerTopic"/>: the queue is bound per active topic, not once for all broadcasts.</summary>
    public bool BindsPerTopic { get; } = options.Routing == RabbitMqRouting.PerTopic;

    /// <summary>The routing key of a broadcast on <paramref name="topic"/>.</summary>
    public string BroadcastKey(string topic) => BindsPerTopic ? BrokerNames.RoutingKey(topic) : BrokerNames.AllNodes;

    /// <summary>The envelope header of this node's messages.</summary>
    public byte[] EnvelopeHeader { get; } = Envelope.Header(nodeName);

    /// <summary>The broker's address without credentials, for log lines.</summary>
    public string Endpoint { get; } = DescribeEndpoint(options.Uri!);

    public TopicBindings Bindings { get; } = bindings;

    public OutgoingQueue Outgoing { get; } = outgoing;

    public RabbitMqMetrics Metrics { get; } = metrics;

    public DropReporter Drops { get; } = drops;

    public ILogger Log { get; } = log;

    /// <summary>
    /// Counts broker sessions: a message is stamped with the epoch current when it was queued, and a session publishes only
    /// its own epoch's messages, so nothing queued during one connection goes out late on the next. Written by the reconnect loop.
    /// </summary>
    public int Epoch
    {
        get => Volatile.Read(ref _epoch);
        set => Volatile.Write(ref _epoch, value);
    }

    /// <summary>Where received messages go; set once when the adapter starts, before the first session opens.</summary>
    public IPubSubInbound Inbound { get; set; } = null!;

    private static string DescribeEndpoint(Uri uri)
    {
        var port = uri.IsDefaultPort || uri.Port < 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port;
        return $"{uri.Scheme}://{uri.Host}:{port}{uri.AbsolutePath}";
    }
}
