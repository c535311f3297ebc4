using Fenix.PubSub.Specification;
using Fenix.Testing.Redis;

namespace Fenix.PubSub.Redis.Tests;

/// <summary>The adapter conformance suite with every node on its own connection to the shared Redis.</summary>
public sealed class RedisConformanceTests : PubSubAdapterConformance
{
    private readonly string _prefix = RedisTestServer.NewPrefix("conformance");

    protected override int MaxNodes => 3;

    /// <summary>A real Redis on a 2-core CI machine running every test assembly at once: only bounds a failing wait.</summary>
    protected override TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(30);

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await RedisTestServer.EnsureAnsweringAsync();
    }

    /// <summary>A node waits at its start until it joined (at most <see cref="DeliveryTimeout"/>): one that started alone drops what it sends.</summary>
    protected override IPubSubAdapter CreateAdapter(string nodeName) =>
        new RedisAdapter(nodeName, new RedisAdapterOptions { Configuration = RedisTestServer.Configuration, Prefix = _prefix, StartupTimeout = DeliveryTimeout });
}
