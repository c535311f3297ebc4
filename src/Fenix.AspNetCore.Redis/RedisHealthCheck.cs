using Fenix.PubSub.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fenix.AspNetCore.Redis;

/// <summary>
/// Reports the node's link to the cluster through Redis: healthy while connected (its probe comes back through the
/// cluster channel) or when the node runs alone, without Redis configured; otherwise the registration's failure status.
/// </summary>
internal sealed class RedisHealthCheck(Fenix.PubSub.FenixPubSub pubSub) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (pubSub.Adapter is not RedisAdapter adapter)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Not in a Redis cluster (Fenix:Redis is not set): a single node."));
        }

        var counters = adapter.Counters;
        var data = new Dictionary<string, object>
        {
            ["node"] = adapter.NodeName,
            ["endpoint"] = adapter.Endpoint,
            ["channel"] = adapter.ChannelName,
            ["connected"] = adapter.IsConnected,
            ["published"] = counters.Published,
            ["received"] = counters.Received,
            ["dropped"] = counters.Dropped,
            ["reconnects"] = counters.Reconnects,
        };
        return Task.FromResult(adapter.IsConnected
            ? HealthCheckResult.Healthy($"Node {adapter.NodeName} is in the cluster through Redis at {adapter.Endpoint}.", data)
            : new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Node {adapter.NodeName} is not connected to Redis at {adapter.Endpoint}: it serves its own clients, and messages for other nodes are dropped until Redis returns.",
                data: data));
    }
}
