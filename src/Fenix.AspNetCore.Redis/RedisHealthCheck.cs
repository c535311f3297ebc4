using Fenix.Hosting;
using Fenix.PubSub.Redis;

namespace Fenix.AspNetCore.Redis;

/// <summary>
/// Reports the node's link to the cluster through Redis: healthy while connected (its probe comes back through the
/// cluster channel) or when the node runs alone, without Redis configured; otherwise the registration's failure status.
/// </summary>
internal sealed class RedisHealthCheck(Fenix.PubSub.FenixPubSub pubSub)
    : ClusterLinkHealthCheck<RedisAdapter>(pubSub, "Redis", Microsoft.Extensions.DependencyInjection.FenixRedisExtensions.ConfigurationKey)
{
    protected override Dictionary<string, object> Data(RedisAdapter adapter)
    {
        var counters = adapter.Counters;
        return new()
        {
            ["node"] = adapter.NodeName,
            ["endpoint"] = adapter.Endpoint,
            ["channel"] = adapter.ChannelName,
            ["published"] = counters.Published,
            ["received"] = counters.Received,
            ["dropped"] = counters.Dropped,
            ["reconnects"] = counters.Reconnects,
        };
    }

    protected override string Connected(RedisAdapter adapter) =>
        $"Node {adapter.NodeName} is in the cluster through Redis at {adapter.Endpoint}.";

    protected override string Disconnected(RedisAdapter adapter) =>
        $"Node {adapter.NodeName} is not connected to Redis at {adapter.Endpoint}";
}
