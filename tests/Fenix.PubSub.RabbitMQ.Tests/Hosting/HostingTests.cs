using Fenix.PubSub.Adapters;
using Fenix.Testing.RabbitMQ;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
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

    private static WebApplication Build(string[] args, Action<Fenix.FenixBuilder> configure)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure(builder.Services.AddFenix());
        return builder.Build();
    }
}
