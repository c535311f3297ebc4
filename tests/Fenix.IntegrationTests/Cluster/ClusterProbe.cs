using Fenix.AspNetCore.Broadcasting;
using Fenix.IntegrationTests.Cluster.Backends;
using Fenix.PubSub;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>A bare PubSub node inside the test process, joined to a Chat cluster: it broadcasts as a server would.</summary>
public sealed class ClusterProbe : IAsyncDisposable
{
    private ClusterProbe(FenixPubSub pubSub) => PubSub = pubSub;

    public FenixPubSub PubSub { get; }

    public static async Task<ClusterProbe> StartAsync(ClusterBackend backend, string prefix, string nodeName)
    {
        var adapter = backend.CreateProbeAdapter(prefix, nodeName);
        var pubSub = new FenixPubSub(adapter);
        pubSub.RegisterDecoder(new BroadcastMessageDecoder());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await pubSub.StartAsync(timeout.Token);
        await backend.WaitForConnectionAsync(adapter, timeout.Token);
        return new ClusterProbe(pubSub);
    }

    /// <summary>What <see cref="IFenixBroadcaster.Disconnect"/> sends: every node closes the sockets with this id.</summary>
    public void Disconnect(string socketId) =>
        PubSub.Broadcast(socketId, new BroadcastMessage(new Broadcast(socketId, PhoenixEvents.Disconnect, Payload.Empty)));

    public ValueTask DisposeAsync() => PubSub.DisposeAsync();
}
