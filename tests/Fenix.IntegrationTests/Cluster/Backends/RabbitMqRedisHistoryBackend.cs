using Fenix.PubSub;
using Fenix.Testing.Redis;

namespace Fenix.IntegrationTests.Cluster.Backends;

/// <summary>
/// RabbitMQ carries the broadcasts (the shared broker, <see cref="RabbitMqBackend"/>) and history lives in the shared
/// Redis (<c>--Fenix:History:Redis</c>, i.e. <c>UseRedisHistory</c>), under the cluster's prefix in both.
/// </summary>
public sealed class RabbitMqRedisHistoryBackend : ClusterBackend
{
    private readonly RabbitMqBackend _broker = new();

    public override string Name => "RabbitMQ, history in Redis";

    public override async Task AcquireAsync(bool forOutages)
    {
        await RedisTestServer.EnsureAnsweringAsync();
        await _broker.AcquireAsync(forOutages);
    }

    public override string[] NodeArguments(string prefix) =>
    [
        .. _broker.NodeArguments(prefix),
        "--Fenix:History:Redis", RedisTestServer.Configuration,
        "--Fenix:History:Redis:Prefix", prefix,
    ];

    public override IPubSubAdapter CreateProbeAdapter(string prefix, string nodeName) => _broker.CreateProbeAdapter(prefix, nodeName);

    public override Task WaitForConnectionAsync(IPubSubAdapter adapter, CancellationToken cancellationToken) =>
        _broker.WaitForConnectionAsync(adapter, cancellationToken);

    public override Task StopAsync() => _broker.StopAsync();

    public override Task StartAsync() => _broker.StartAsync();

    public override async Task CleanUpAsync(string prefix)
    {
        await _broker.CleanUpAsync(prefix);
        await RedisTestServer.DeleteKeysAsync(prefix);
    }

    public override ValueTask DisposeAsync() => _broker.DisposeAsync();
}
