using Fenix.PubSub.RabbitMQ;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fenix.AspNetCore.RabbitMQ;

/// <summary>
/// Reports the node's connection to RabbitMQ: healthy while connected (or when the node runs alone, without a broker
/// configured); otherwise the registration's failure status. Local delivery goes on without the broker, which is why
/// <see cref="Microsoft.Extensions.DependencyInjection.FenixRabbitMqHealthCheckExtensions"/> defaults to Degraded.
/// </summary>
internal sealed class RabbitMqHealthCheck(Fenix.PubSub.FenixPubSub pubSub) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (pubSub.Adapter is not RabbitMqAdapter adapter)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Not in a RabbitMQ cluster (Fenix:RabbitMQ is not set): a single node."));
        }

        var counters = adapter.Counters;
        var data = new Dictionary<string, object>
        {
            ["node"] = adapter.NodeName,
            ["connected"] = adapter.IsConnected,
            ["published"] = counters.Published,
            ["received"] = counters.Received,
            ["dropped"] = counters.Dropped,
            ["reconnects"] = counters.Reconnects,
        };
        return Task.FromResult(adapter.IsConnected
            ? HealthCheckResult.Healthy($"Node {adapter.NodeName} is connected to RabbitMQ.", data)
            : new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Node {adapter.NodeName} is not connected to RabbitMQ: it serves its own clients, and messages for other nodes are dropped until the broker returns.",
                data: data));
    }
}
