using Fenix.AspNetCore.RabbitMQ;
using Microsoft.Extensions.Diagnostics.HealthChecks;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>A health check for the node's connection to RabbitMQ.</summary>
public static class FenixRabbitMqHealthCheckExtensions
{
    /// <summary>
    /// Adds a check that reports whether this node is connected to RabbitMQ (healthy when no broker is configured).
    /// The failure status defaults to <see cref="HealthStatus.Degraded"/>: without the broker the node still serves its
    /// own clients, so a load balancer should not take it out of rotation; pass Unhealthy to do that anyway.
    /// </summary>
    /// <example><code>builder.Services.AddHealthChecks().AddFenixRabbitMQ();</code></example>
    public static IHealthChecksBuilder AddFenixRabbitMQ(
        this IHealthChecksBuilder builder,
        string name = "fenix-rabbitmq",
        HealthStatus failureStatus = HealthStatus.Degraded,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => new RabbitMqHealthCheck(provider.GetRequiredService<Fenix.PubSub.FenixPubSub>()),
            failureStatus,
            tags ?? ["fenix", "cluster"]));
    }
}
