namespace Fenix.PubSub;

/// <summary>
/// The contract for carrying messages between nodes. An adapter does only what must cross nodes:
/// local subscribers are served by <see cref="FenixPubSub"/> itself, so an adapter never delivers a node's
/// own broadcasts back to it.
/// </summary>
/// <remarks>
/// Every method is non-blocking and must not throw (queue and return): callers sit on hot paths, and
/// <see cref="TopicActivated"/>/<see cref="TopicDeactivated"/> run under a PubSub lock. Messages from one
/// publisher thread must reach each node in the order they were sent. Delivery is at most once.
/// </remarks>
public interface IPubSubAdapter : IAsyncDisposable
{
    /// <summary>This node's name, unique in the cluster (also the tracker's replica name).</summary>
    string NodeName { get; }

    /// <summary>Starts receiving; messages from other nodes are handed to <paramref name="inbound"/>.</summary>
    Task StartAsync(IPubSubInbound inbound, CancellationToken cancellationToken);

    /// <summary>Sends to every other node that may have subscribers for <paramref name="topic"/>.</summary>
    void Broadcast(string topic, IPubSubMessage message);

    /// <summary>Sends to the node named <paramref name="nodeName"/> only; dropped if that node is unknown or gone.</summary>
    void DirectBroadcast(string nodeName, string topic, IPubSubMessage message);

    /// <summary>The first local subscriber of <paramref name="topic"/> arrived: start receiving its broadcasts.</summary>
    void TopicActivated(string topic);

    /// <summary>The last local subscriber of <paramref name="topic"/> left: other nodes may stop sending it here.</summary>
    void TopicDeactivated(string topic);
}

/// <summary>Where an adapter hands what arrives from other nodes.</summary>
public interface IPubSubInbound
{
    /// <summary>
    /// Decodes with the named codec and delivers to this node's subscribers of <paramref name="topic"/>. The decoded
    /// message may keep <paramref name="bytes"/> (a payload is a slice of them, not a copy): pass memory that stays
    /// valid and unchanged after the call, e.g. one copy of a broker buffer that is reused.
    /// </summary>
    void DeliverRemote(string topic, string codec, ReadOnlyMemory<byte> bytes);
}
