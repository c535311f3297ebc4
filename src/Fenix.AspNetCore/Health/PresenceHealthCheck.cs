using Fenix.Presence;
using Fenix.Presence.Tracker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fenix.AspNetCore.Health;

/// <summary>
/// The other nodes as presence sees them: healthy while every known peer is up (or presence is not used), otherwise the
/// registration's failure status — a peer that is down has its presences hidden on this node until it returns.
/// </summary>
internal sealed class PresenceHealthCheck(PresenceTracker? tracker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (tracker is null)
        {
            return HealthCheckResult.Healthy("Presence is not enabled (AddPresence() was not called).");
        }

        var peers = await tracker.GetPeersAsync(cancellationToken);
        var down = peers.Where(peer => peer.Status == ReplicaStatus.Down).Select(peer => peer.Node).ToList();
        var data = new Dictionary<string, object>
        {
            ["node"] = tracker.NodeName,
            ["replicas_up"] = peers.Count - down.Count,
            ["replicas_down"] = down.Count,
        };
        if (down.Count == 0)
        {
            return HealthCheckResult.Healthy(
                peers.Count == 0 ? $"Node {tracker.NodeName} knows no other presence replica (a single node)." : $"All {peers.Count} other presence replicas are up.",
                data);
        }

        data["down"] = string.Join(", ", down);
        return new HealthCheckResult(
            context.Registration.FailureStatus,
            $"{down.Count} of {peers.Count} other presence replicas are down ({string.Join(", ", down)}): their presences are hidden here until they come back, or dropped after the permdown period.",
            data: data);
    }
}
