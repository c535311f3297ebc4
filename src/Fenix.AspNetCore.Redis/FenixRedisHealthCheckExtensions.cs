using Fenix.AspNetCore.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>A health check for the node's link to the cluster through Redis.</summary>
public static class FenixRedisHealthCheckExtensions
{
    /// <summary>
    /// Adds a check that reports whether this node is in its Redis cluster (healthy when no Redis is configured). The
    /// failure status defaults to <see cref="HealthStatus.Degraded"/>: without Redis the node still serves its own
    /// clients, so a load balancer should not take it out of rotation; pass Unhealthy to do that anyway.
    /// </summary>
    /// <example><code>builder.Services.AddHealthChecks().AddFenixRedis();</code></example>
    public static IHealthChecksBuilder AddFenixRedis(
        this IHealthChecksBuilder builder,
        string name = "fenix-redis",
        HealthStatus failureStatus = HealthStatus.Degraded,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => new RedisHealthCheck(provider.GetRequiredService<Fenix.PubSub.FenixPubSub>()),
            failureStatus,
            tags ?? ["fenix", "cluster"]));
    }
}
