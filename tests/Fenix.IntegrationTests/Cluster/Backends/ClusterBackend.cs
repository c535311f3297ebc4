using Fenix.PubSub;

namespace Fenix.IntegrationTests.Cluster.Backends;

/// <summary>
/// What Chat nodes share to form a cluster — a RabbitMQ broker or a Redis — as the cluster tests need it: the Chat
/// arguments that join it, a probe adapter for a node inside the test process, and (for outage tests) stopping and
/// starting it. The tests themselves are the same for every backend.
/// </summary>
public abstract class ClusterBackend : IAsyncDisposable
{
    /// <summary>"RabbitMQ" or "Redis", for messages.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Makes the backend available to one cluster: <paramref name="forOutages"/> means the cluster's tests stop and
    /// start it, so no other test may depend on it meanwhile.
    /// </summary>
    public abstract Task AcquireAsync(bool forOutages);

    /// <summary>The Chat command-line arguments that join the cluster isolated by <paramref name="prefix"/>.</summary>
    public abstract string[] NodeArguments(string prefix);

    /// <summary>An adapter for a bare PubSub node of the same cluster inside the test process.</summary>
    public abstract IPubSubAdapter CreateProbeAdapter(string prefix, string nodeName);

    /// <summary>Completes when the probe adapter is connected.</summary>
    public abstract Task WaitForConnectionAsync(IPubSubAdapter adapter, CancellationToken cancellationToken);

    /// <summary>Takes the backend away from every node (only after <see cref="AcquireAsync"/> for outages).</summary>
    public abstract Task StopAsync();

    /// <summary>Brings it back and waits until it serves.</summary>
    public abstract Task StartAsync();

    /// <summary>Removes what the cluster left on the backend (best effort).</summary>
    public abstract Task CleanUpAsync(string prefix);

    public abstract ValueTask DisposeAsync();
}
