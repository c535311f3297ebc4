using Fenix.Hosting;
using Fenix.PubSub.RabbitMQ;

namespace Fenix.AspNetCore.RabbitMQ;

/// <summary>
/// Reports the node's connection to RabbitMQ: healthy while connected (or when the node runs alone, without a broker
/// configured); otherwise the registration's failure status. Local delivery goes on without the broker, which is why
/// <see cref="Microsoft.Extensions.DependencyInjection.FenixRabbitMqHealthCheckExtensions"/> defaults to Degraded.
/// </summary>
internal sealed class RabbitMqHealthCheck(Fenix.PubSub.FenixPubSub pubSub)
    : ClusterLinkHealthCheck<RabbitMqAdapter>(pubSub, "RabbitMQ", Microsoft.Extensions.DependencyInjection.FenixRabbitMqExtensions.ConfigurationKey)
{
    protected override Dictionary<string, object> Data(RabbitMqAdapter adapter)
    {
        var counters = adapter.Counters;
        return new()
        {
            ["node"] = adapter.NodeName,
            ["published"] = counters.Published,
            ["received"] = counters.Received,
            ["dropped"] = counters.Dropped,
            ["reconnects"] = counters.Reconnects,
        };
    }

    protected override string Connected(RabbitMqAdapter adapter) => $"Node {adapter.NodeName} is connected to RabbitMQ.";

    protected override string Disconnected(RabbitMqAdapter adapter) => $"Node {adapter.NodeName} is not connected to RabbitMQ";
}
