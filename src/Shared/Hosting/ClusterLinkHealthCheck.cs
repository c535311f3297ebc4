using Fenix.PubSub;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fenix.Hosting;

/// <summary>
/// A cluster backend's health check, shared by the backends' hosting packages: healthy while the node's adapter is
/// connected, or when the node runs alone (the backend is not configured); otherwise the registration's failure status.
/// A backend only says how its adapter names itself and what it reports.
/// </summary>
/// <param name="backend">The backend as messages name it (e.g. <c>Redis</c>).</param>
/// <param name="configurationKey">The key that puts a node in such a cluster (e.g. <c>Fenix:Redis</c>).</param>
internal abstract class ClusterLinkHealthCheck<TAdapter>(FenixPubSub pubSub, string backend, string configurationKey) : IHealthCheck
    where TAdapter : class, IPubSubAdapterStatus
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (pubSub.Adapter is not TAdapter adapter)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Not in a {backend} cluster ({configurationKey} is not set): a single node."));
        }

        var data = Data(adapter);
        data["connected"] = adapter.IsConnected;
        return Task.FromResult(adapter.IsConnected
            ? HealthCheckResult.Healthy(Connected(adapter), data)
            : new HealthCheckResult(
                context.Registration.FailureStatus,
                $"{Disconnected(adapter)}: it serves its own clients, and messages for other nodes are dropped until {backend} returns.",
                data: data));
    }

    /// <summary>What the check reports besides <c>connected</c>: the node, the adapter's counters.</summary>
    protected abstract Dictionary<string, object> Data(TAdapter adapter);

    /// <summary>The description while connected.</summary>
    protected abstract string Connected(TAdapter adapter);

    /// <summary>The start of the description while not connected (e.g. "Node n1 is not connected to Redis").</summary>
    protected abstract string Disconnected(TAdapter adapter);
}
