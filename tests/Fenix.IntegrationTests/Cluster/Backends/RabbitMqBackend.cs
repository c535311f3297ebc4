using Fenix.PubSub;
using Fenix.PubSub.RabbitMQ;
using Fenix.Testing.RabbitMQ;

namespace Fenix.IntegrationTests.Cluster.Backends;

/// <summary>The local RabbitMQ broker, shared with other tests (held exclusively, across processes, by outage tests).</summary>
public sealed class RabbitMqBackend(RabbitMqRouting routing = RabbitMqRouting.Fanout) : ClusterBackend
{
    private IAsyncDisposable? _hold;

    public override string Name => "RabbitMQ";

    public override async Task AcquireAsync(bool forOutages) =>
        _hold = forOutages ? await RabbitMqBroker.ExclusiveAsync() : await RabbitMqBroker.ShareAsync();

    public override string[] NodeArguments(string prefix) =>
    [
        "--Fenix:RabbitMQ", RabbitMqBroker.Uri.ToString(),
        "--Fenix:RabbitMQ:Prefix", prefix,
        "--Fenix:RabbitMQ:Routing", routing.ToString(),
        "--Fenix:RabbitMQ:ReconnectDelayMax", "00:00:01",
    ];

    public override IPubSubAdapter CreateProbeAdapter(string prefix, string nodeName) =>
        new RabbitMqAdapter(nodeName, new RabbitMqAdapterOptions { Uri = RabbitMqBroker.Uri, Prefix = prefix, Routing = routing });

    public override Task WaitForConnectionAsync(IPubSubAdapter adapter, CancellationToken cancellationToken) =>
        ((RabbitMqAdapter)adapter).WaitForConnectionAsync(cancellationToken);

    public override Task StopAsync() => RabbitMqBroker.StopAsync();

    public override Task StartAsync() => RabbitMqBroker.StartAsync();

    public override Task CleanUpAsync(string prefix) => RabbitMqBroker.DeleteExchangeAsync(prefix);

    public override async ValueTask DisposeAsync()
    {
        if (_hold is not null)
        {
            if (!await RabbitMqBroker.AnswersAsync())
            {
                await RabbitMqBroker.StartAsync(); // never leave the shared broker stopped
            }

            await _hold.DisposeAsync();
        }
    }
}
