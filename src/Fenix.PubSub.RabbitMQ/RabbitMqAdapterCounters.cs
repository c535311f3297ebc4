namespace Fenix.PubSub.RabbitMQ;

/// <summary>Running totals of a <see cref="RabbitMqAdapter"/> since it was created (also exported as metrics on the meter "Fenix").</summary>
/// <param name="Published">Messages for other nodes handed to the broker.</param>
/// <param name="Batches">Broker messages published; each carries one or more messages.</param>
/// <param name="Received">Messages received from other nodes (this node's own broadcasts excluded).</param>
/// <param name="Dropped">Messages for other nodes dropped: broker unreachable, outgoing queue full, encoding or publishing failed.</param>
/// <param name="Reconnects">Connections re-established after the broker was lost.</param>
/// <param name="BindingOperations">Topic bindings added or removed on the broker.</param>
public readonly record struct RabbitMqAdapterCounters(long Published, long Batches, long Received, long Dropped, long Reconnects, long BindingOperations);
