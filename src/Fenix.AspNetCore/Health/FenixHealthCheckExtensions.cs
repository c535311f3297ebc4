using Fenix.AspNetCore.Health;
using Fenix.Presence;
using Fenix.PubSub;
using Microsoft.Extensions.Diagnostics.HealthChecks;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Health checks of a Fenix node.</summary>
public static class FenixHealthCheckExtensions
{
    /// <summary>
    /// Adds two checks: <c>fenix-pubsub</c> (the cluster adapter reaches the other nodes; any adapter implementing
    /// <see cref="IPubSubAdapterStatus"/> reports it) and <c>fenix-presence</c> (every other presence replica is up).
    /// Both fail with <paramref name="failureStatus"/>, Degraded by default: a node cut off from the others still serves
    /// its own clients, so a load balancer should not take it out of rotation for that; pass Unhealthy to do so anyway.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddHealthChecks().AddFenixHealthChecks();
    /// app.MapHealthChecks("/health");
    /// </code></example>
    public static IHealthChecksBuilder AddFenixHealthChecks(
        this IHealthChecksBuilder builder,
        HealthStatus failureStatus = HealthStatus.Degraded,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var checkTags = tags?.ToArray() ?? ["fenix"];
        builder.Add(new HealthCheckRegistration(
            "fenix-pubsub", provider => new PubSubHealthCheck(provider.GetRequiredService<FenixPubSub>()), failureStatus, checkTags));
        builder.Add(new HealthCheckRegistration(
            "fenix-presence", provider => new PresenceHealthCheck(provider.GetService<PresenceTracker>()), failureStatus, checkTags));
        return builder;
    }
}
