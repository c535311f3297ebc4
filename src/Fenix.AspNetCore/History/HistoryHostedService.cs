using Microsoft.Extensions.Hosting;

namespace Fenix.AspNetCore.History;

/// <summary>Checks the history settings and store when the host starts (a cluster without a shared store fails here), connects the store, and starts its maintenance.</summary>
internal sealed class HistoryHostedService(HistoryService history) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => history.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
