namespace Fenix.PubSub.RabbitMQ;

/// <summary>How broadcasts find the nodes that subscribe to their topic. Every node of a cluster must use the same.</summary>
public enum RabbitMqRouting
{
    /// <summary>
    /// Every broadcast goes to every node, which keeps it only if the topic has local subscribers — Phoenix's own
    /// model. A subscription takes effect cluster-wide at once (no broker round trip), consecutive broadcasts on any
    /// topics share broker messages, and the broker holds one binding per node. Costs: each node receives (and skips)
    /// the broadcasts of topics it does not serve. The default; best for clusters of a few nodes.
    /// </summary>
    Fanout,

    /// <summary>
    /// A broadcast goes only to the nodes subscribed to its topic: each node binds its queue once per active topic. Nodes
    /// receive only what they serve, at the price of a broker round trip per new topic (a subscription takes effect a
    /// moment after it is made: about a millisecond, longer behind a burst of new topics), one broker message per
    /// broadcast (no batching across topics) and one binding per node and topic. For many nodes with disjoint topics.
    /// </summary>
    PerTopic,
}
