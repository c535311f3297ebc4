using Fenix.Presence;
using Microsoft.Extensions.Hosting;

namespace Fenix.AspNetCore.Presence;

/// <summary>
/// Starts the tracker with the host (so the node gossips before any channel tracks anything) and stops it before
/// PubSub: with <c>PermdownOnShutdown</c>, peers are told to drop this node's presences at once.
/// </summary>
internal sealed class PresenceHostedService(PresenceTracker tracker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => tracker.StopAsync();
}
