using Fenix.PubSub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.AspNetCore.Tests.Diagnostics;

/// <summary>AddFenixHealthChecks with an adapter whose connection the test switches (the cluster test uses RabbitMQ).</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task The_pubsub_check_follows_the_adapters_status_and_is_degraded_while_it_is_cut_off()
    {
        var adapter = new SwitchableAdapter();
        await using var services = Build(fenix => fenix.UseAdapter((_, _) => adapter));
        var health = services.GetRequiredService<HealthCheckService>();

        var connected = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, connected.Status);
        Assert.Equal("Node test-node reaches the other nodes through Switchable 10.0.0.1.", connected.Entries["fenix-pubsub"].Description);
        Assert.Equal(true, connected.Entries["fenix-pubsub"].Data["connected"]);

        adapter.IsConnected = false;
        var cutOff = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, cutOff.Status);
        Assert.StartsWith("Node test-node is not connected to Switchable 10.0.0.1: it serves its own clients", cutOff.Entries["fenix-pubsub"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, cutOff.Entries["fenix-presence"].Status); // presence is not enabled here
        Assert.Equal("Presence is not enabled (AddPresence() was not called).", cutOff.Entries["fenix-presence"].Description);
    }

    [Fact]
    public async Task A_single_node_is_healthy_and_says_so()
    {
        await using var services = Build(_ => { }, presence: true);
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Contains("in-process (a single node)", report.Entries["fenix-pubsub"].Description, StringComparison.Ordinal);
        Assert.Equal("Node test-node knows no other presence replica (a single node).", report.Entries["fenix-presence"].Description);
    }

    private static ServiceProvider Build(Action<FenixOptions> configure, bool presence = false)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.ClearProviders());
        var fenix = services.AddFenix(options =>
        {
            options.NodeName = "test-node";
            configure(options);
        });
        if (presence)
        {
            fenix.AddPresence();
        }

        services.AddHealthChecks().AddFenixHealthChecks();
        return services.BuildServiceProvider();
    }

    private sealed class SwitchableAdapter : IPubSubAdapter, IPubSubAdapterStatus
    {
        public string NodeName => "test-node";

        public bool IsConnected { get; set; } = true;

        public string Backend => "Switchable 10.0.0.1";

        public Task StartAsync(IPubSubInbound inbound, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Broadcast(string topic, IPubSubMessage message)
        {
        }

        public void DirectBroadcast(string nodeName, string topic, IPubSubMessage message)
        {
        }

        public void TopicActivated(string topic)
        {
        }

        public void TopicDeactivated(string topic)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
