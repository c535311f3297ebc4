using Fenix.PubSub.Adapters;
using Fenix.Testing.RabbitMQ;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace Fenix.PubSub.RabbitMQ.Tests.Hosting;

/// <summary>How a server joins a cluster: in code, or from the configuration keys Fenix:RabbitMQ and Fenix:Node.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task The_configuration_keys_name_the_broker_and_the_node()
    {
        await using var app = Build(["--Fenix:RabbitMQ", "amqp://guest:guest@127.0.0.1:5672/", "--Fenix:Node", "chat7"], fenix => fenix.AddRabbitMQ());
        var adapter = Assert.IsType<RabbitMqAdapter>(app.Services.GetRequiredService<FenixPubSub>().Adapter);
        Assert.Equal("chat7", adapter.NodeName);
        Assert.Equal(new Uri("amqp://guest:guest@127.0.0.1:5672/"), adapter.Options.Uri);
        Assert.Equal("fenix", adapter.Options.Prefix);
    }

    [Fact]
    public async Task Children_of_the_key_set_the_adapter_options()
    {
        await using var app = Build(
            ["--Fenix:RabbitMQ:Uri", "amqp://127.0.0.1:5672/", "--Fenix:RabbitMQ:Prefix", "blue", "--Fenix:RabbitMQ:UnbindDelay", "00:00:01"],
            fenix => fenix.AddRabbitMQ(o => o.PrefetchCount = 64));
        var adapter = Assert.IsType<RabbitMqAdapter>(app.Services.GetRequiredService<FenixPubSub>().Adapter);
        Assert.Equal(("blue", TimeSpan.FromSeconds(1), (ushort)64), (adapter.Options.Prefix, adapter.Options.UnbindDelay, adapter.Options.PrefetchCount));
    }

    [Fact]
    public async Task Without_the_key_the_server_stays_a_single_node()
    {
        await using var app = Build([], fenix => fenix.AddRabbitMQ());
        Assert.IsType<InProcessAdapter>(app.Services.GetRequiredService<FenixPubSub>().Adapter);
    }

    [Fact]
    public async Task Code_configuration_wins_over_the_configuration_keys()
    {
        var builder = WebApplication.CreateBuilder(["--Fenix:RabbitMQ", "amqp://other-host/", "--Fenix:Node", "n1"]);
        builder.Services.AddFenix(o => o.UseRabbitMQ(RabbitMqBroker.Uri.ToString(), r => r.Prefix = "code")).AddRabbitMQ();
        await using var app = builder.Build();
        var adapter = Assert.IsType<RabbitMqAdapter>(app.Services.GetRequiredService<FenixPubSub>().Adapter);
        Assert.Equal(("code", RabbitMqBroker.Uri), (adapter.Options.Prefix, adapter.Options.Uri));
    }

    [Fact]
    public void A_bad_uri_fails_at_configuration_time_with_a_helpful_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Fenix.FenixOptions().UseRabbitMQ("http://127.0.0.1/"));
        Assert.Contains("amqp://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_reports_a_connected_node_healthy_and_an_unreachable_broker_with_the_failure_status()
    {
        await using var broker = await RabbitMqBroker.ShareAsync();
        var prefix = RabbitMqBroker.NewPrefix("health");
        await using var up = await StartAsync(RabbitMqBroker.Uri.ToString(), prefix, startupTimeout: "00:00:30"); // starts once connected
        var healthy = await up.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, healthy.Entries["fenix-rabbitmq"].Status);
        Assert.Equal(true, healthy.Entries["fenix-rabbitmq"].Data["connected"]);

        await using var down = await StartAsync("amqp://guest:guest@127.0.0.1:1/", prefix, startupTimeout: "00:00:00.200"); // nothing listens there
        var degraded = await down.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, degraded.Entries["fenix-rabbitmq"].Status);
        Assert.Contains("not connected to RabbitMQ", degraded.Entries["fenix-rabbitmq"].Description, StringComparison.Ordinal);
        await RabbitMqBroker.DeleteExchangeAsync(prefix);
    }

    private static async Task<WebApplication> StartAsync(string uri, string prefix, string startupTimeout)
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--Fenix:RabbitMQ", uri, "--Fenix:RabbitMQ:Prefix", prefix, "--Fenix:RabbitMQ:StartupTimeout", startupTimeout]);
        builder.Services.AddFenix().AddRabbitMQ();
        builder.Services.AddHealthChecks().AddFenixRabbitMQ();
        var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static WebApplication Build(string[] args, Action<Fenix.FenixBuilder> configure)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure(builder.Services.AddFenix());
        return builder.Build();
    }
}
