namespace Fenix.PubSub.Redis;

/// <summary>Running totals of a <see cref="RedisAdapter"/> since it was created (also exported as metrics on the meter "Fenix").</summary>
/// <param name="Published">Messages for other nodes handed to Redis.</param>
/// <param name="Batches">PUBLISH commands sent; each carries one or more messages.</param>
/// <param name="Received">Messages received from other nodes (this node's own and those for other nodes excluded).</param>
/// <param name="Dropped">Messages for other nodes dropped: Redis unreachable, outgoing queue full, encoding or publishing failed.</param>
/// <param name="Reconnects">Times the node rejoined the cluster after losing Redis.</param>
public readonly record struct RedisAdapterCounters(long Published, long Batches, long Received, long Dropped, long Reconnects);
