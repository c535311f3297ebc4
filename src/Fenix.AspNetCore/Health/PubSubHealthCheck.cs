using Fenix.PubSub;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fenix.AspNetCore.Health;

/// <summary>
/// Whether this node reaches the other nodes through its PubSub adapter: healthy while the adapter says it is connected
/// (<see cref="IPubSubAdapterStatus"/>; a single node is always healthy), otherwise the registration's failure status.
/// </summary>
internal sealed class PubSubHealthCheck(FenixPubSub pubSub) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var adapter = pubSub.Adapter;
        if (adapter is not IPubSubAdapterStatus status)
        {
            return Task.FromResult(HealthCheckResult.Healthy(
                $"Node {pubSub.NodeName} uses {adapter.GetType().Name}, which does not report its connection (it does not implement IPubSubAdapterStatus).",
                Data(adapter.GetType().Name, connected: null)));
        }

        var data = Data(status.Backend, status.IsConnected);
        return Task.FromResult(status.IsConnected
            ? HealthCheckResult.Healthy($"Node {pubSub.NodeName} reaches the other nodes through {status.Backend}.", data)
            : new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Node {pubSub.NodeName} is not connected to {status.Backend}: it serves its own clients, but broadcasts to and from other nodes are lost until it reconnects.",
                data: data));

        Dictionary<string, object> Data(string backend, bool? connected)
        {
            var data = new Dictionary<string, object> { ["node"] = pubSub.NodeName, ["backend"] = backend };
            if (connected is { } value)
            {
                data["connected"] = value;
            }

            return data;
        }
    }
}
