using Fenix.AspNetCore.Broadcasting;
using Fenix.PubSub;
using Fenix.PubSub.RabbitMQ;
using Fenix.Testing.RabbitMQ;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>A bare PubSub node inside the test process, joined to a Chat cluster: it broadcasts as a server would.</summary>
public sealed class ClusterProbe : IAsyncDisposable
{
    private ClusterProbe(FenixPubSub pubSub, RabbitMqAdapter adapter)
    {
        PubSub = pubSub;
        Adapter = adapter;
    }

    public FenixPubSub PubSub { get; }

    public RabbitMqAdapter Adapter { get; }

    public static async Task<ClusterProbe> StartAsync(string prefix, string nodeName)
    {
        var adapter = new RabbitMqAdapter(nodeName, new RabbitMqAdapterOptions { Uri = RabbitMqBroker.Uri, Prefix = prefix });
        var pubSub = new FenixPubSub(adapter);
        pubSub.RegisterDecoder(new BroadcastMessageDecoder());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await pubSub.StartAsync(timeout.Token);
        await adapter.WaitForConnectionAsync(timeout.Token);
        return new ClusterProbe(pubSub, adapter);
    }

    /// <summary>What <see cref="IFenixBroadcaster.Disconnect"/> sends: every node closes the sockets with this id.</summary>
    public void Disconnect(string socketId) =>
        PubSub.Broadcast(socketId, new BroadcastMessage(new Broadcast(socketId, PhoenixEvents.Disconnect, Payload.Empty)));

    public ValueTask DisposeAsync() => PubSub.DisposeAsync();
}
