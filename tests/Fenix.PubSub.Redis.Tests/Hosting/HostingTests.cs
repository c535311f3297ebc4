using Fenix.PubSub.Adapters;
using Fenix.PubSub.RabbitMQ;
using Fenix.Testing.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace Fenix.PubSub.Redis.Tests.Hosting;

/// <summary>How a server joins a Redis cluster: in code, or from the configuration keys Fenix:Redis and Fenix:Node; its health checks.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task The_configuration_keys_name_the_redis_and_the_node()
    {
        await using var app = Build(["--Fenix:Redis", "127.0.0.1:6379", "--Fenix:Node", "chat7"], fenix => fenix.AddRedis());
        var adapter = Assert.IsType<RedisAdapter>(app.Services.GetRequiredService<FenixPubSub>().Adapter);
        Assert.Equal(("chat7", "127.0.0.1:6379", "fenix:cluster"), (adapter.NodeName, adapter.Options.Configuration, adapter.ChannelName));
    }

    [Fact]
    public async Task Children_of_the_key_set_the_adapter_options()
    {
        await using var app = Build(
            ["--Fenix:Redis:Configuration", "127.0.0.1:6379", "--Fenix:Redis:Prefix", "blue", "--Fenix:Redis:ProbeInterval", "00:00:01"],
            fenix => fenix.AddRedis(o => o.MaxPendingPublishes = 8));
        var adapter = Assert.IsType<RedisAdapter>(app.Services.GetRequiredService<FenixPubSub>().Adapter);
        Assert.Equal(("blue:cluster", TimeSpan.FromSeconds(1), 8), (adapter.ChannelName, adapter.Options.ProbeInterval, adapter.Options.MaxPendingPublishes));
    }

    [Fact]
    public async Task Without_the_key_the_server_stays_a_single_node()
    {
        await using var app = Build([], fenix => fenix.AddRedis().AddRabbitMQ());
        Assert.IsType<InProcessAdapter>(app.Services.GetRequiredService<FenixPubSub>().Adapter);
    }

    [Fact]
    public async Task Either_backend_is_chosen_by_its_key_when_both_are_registered()
    {
        await using (var redis = Build(["--Fenix:Redis", "127.0.0.1:6379"], fenix => fenix.AddRabbitMQ().AddRedis()))
        {
            Assert.IsType<RedisAdapter>(redis.Services.GetRequiredService<FenixPubSub>().Adapter);
        }

        await using var rabbit = Build(["--Fenix:RabbitMQ", "amqp://127.0.0.1:5672/"], fenix => fenix.AddRabbitMQ().AddRedis());
        Assert.IsType<RabbitMqAdapter>(rabbit.Services.GetRequiredService<FenixPubSub>().Adapter);
    }

    [Fact]
    public void Both_keys_at_once_are_refused_at_startup_with_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Build(["--Fenix:Redis", "127.0.0.1:6379", "--Fenix:RabbitMQ", "amqp://127.0.0.1:5672/"], fenix => fenix.AddRabbitMQ().AddRedis()));
        Assert.Contains("Both Fenix:Redis and Fenix:RabbitMQ are set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_configuration_string_fails_the_start_with_a_message_that_names_the_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(["--Fenix:Redis", "127.0.0.1:6379,retries=lots"], fenix => fenix.AddRedis()));
        Assert.Contains("Fenix:Redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_configuration_wins_over_the_configuration_keys()
    {
        var builder = WebApplication.CreateBuilder(["--Fenix:Redis", "other-host:6379", "--Fenix:Node", "n1"]);
        builder.Services.AddFenix(o => o.UseRedis(RedisTestServer.Configuration, r => r.Prefix = "code")).AddRedis();
        await using var app = builder.Build();
        var adapter = Assert.IsType<RedisAdapter>(app.Services.GetRequiredService<FenixPubSub>().Adapter);
        Assert.Equal(("code:cluster", RedisTestServer.Configuration), (adapter.ChannelName, adapter.Options.Configuration));
    }

    [Fact]
    public async Task The_health_check_reports_the_link_degraded_while_Redis_is_away_and_healthy_in_the_cluster()
    {
        await using var server = OwnedRedisServer.Reserve();
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--Fenix:Redis", server.Configuration, "--Fenix:Redis:StartupTimeout", "00:00:00.100", "--Fenix:Node", "h1"]);
        builder.Services.AddFenix().AddRedis();
        builder.Services.AddHealthChecks().AddFenixRedis().AddFenixRabbitMQ();
        await using var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var health = app.Services.GetRequiredService<HealthCheckService>();

        var away = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, away.Entries["fenix-redis"].Status);
        Assert.Contains("not connected to Redis", away.Entries["fenix-redis"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, away.Entries["fenix-rabbitmq"].Status); // not a RabbitMQ node: nothing to check

        await server.StartAsync();
        var adapter = (RedisAdapter)app.Services.GetRequiredService<FenixPubSub>().Adapter;
        await adapter.WaitForConnectionAsync(TestContext.Current.CancellationToken);
        var up = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, up.Entries["fenix-redis"].Status);
        Assert.Equal("h1", up.Entries["fenix-redis"].Data["node"]);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    private static WebApplication Build(string[] args, Action<FenixBuilder> configure)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure(builder.Services.AddFenix());
        return builder.Build();
    }
}
