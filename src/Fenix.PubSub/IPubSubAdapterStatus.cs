namespace Fenix.PubSub;

/// <summary>
/// Optional for an <see cref="IPubSubAdapter"/>: whether it reaches the other nodes right now, for health checks and
/// dashboards. Both members are cheap reads that never block and never throw.
/// </summary>
public interface IPubSubAdapterStatus
{
    /// <summary>True while messages for other nodes can be sent (always true for the in-process adapter).</summary>
    bool IsConnected { get; }

    /// <summary>What the adapter connects through, for people (e.g. <c>RabbitMQ 127.0.0.1:5672/</c>); never a secret.</summary>
    string Backend { get; }
}
