using Fenix.PubSub;
using Microsoft.Extensions.Hosting;

namespace Fenix.AspNetCore.Hosting;

/// <summary>Starts PubSub's adapter (receiving from other nodes) with the host, and stops it last.</summary>
internal sealed class FenixHostedService(FenixPubSub pubSub) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => pubSub.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await pubSub.DisposeAsync();
}
