using Fenix.PubSub;
using Fenix.PubSub.Redis;
using Fenix.Testing.Redis;

namespace Fenix.IntegrationTests.Cluster.Backends;

/// <summary>
/// Redis: the shared one that scripts/ensure-deps.sh starts, or — for outage tests — a redis-server of the cluster's own
/// on a free port, which the tests kill and start again without touching anyone else's.
/// </summary>
public sealed class RedisBackend : ClusterBackend
{
    private OwnedRedisServer? _owned;

    public override string Name => "Redis";

    /// <summary>The configuration string the nodes use.</summary>
    public string Configuration => _owned?.Configuration ?? RedisTestServer.Configuration;

    public override async Task AcquireAsync(bool forOutages)
    {
        if (forOutages)
        {
            _owned = await OwnedRedisServer.StartNewAsync();
        }
        else
        {
            await RedisTestServer.EnsureAnsweringAsync();
        }
    }

    public override string[] NodeArguments(string prefix) =>
    [
        "--Fenix:Redis", Configuration,
        "--Fenix:Redis:Prefix", prefix,
        "--Fenix:Redis:ReconnectDelayMax", "00:00:01",
    ];

    public override IPubSubAdapter CreateProbeAdapter(string prefix, string nodeName) =>
        new RedisAdapter(nodeName, new RedisAdapterOptions { Configuration = Configuration, Prefix = prefix });

    public override Task WaitForConnectionAsync(IPubSubAdapter adapter, CancellationToken cancellationToken) =>
        ((RedisAdapter)adapter).WaitForConnectionAsync(cancellationToken);

    public override Task StopAsync() => Owned.KillAsync();

    public override Task StartAsync() => Owned.StartAsync();

    /// <summary>Pub/sub channels leave nothing behind; history (Chat with <c>--Chat:History</c>) leaves keys under the prefix.</summary>
    public override Task CleanUpAsync(string prefix) => _owned is null ? RedisTestServer.DeleteKeysAsync(prefix) : Task.CompletedTask;

    public override async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }

    private OwnedRedisServer Owned => _owned ?? throw new InvalidOperationException("Only a cluster acquired for outages may stop its Redis.");
}
