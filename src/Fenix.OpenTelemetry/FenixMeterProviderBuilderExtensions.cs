using Fenix.Diagnostics;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as OpenTelemetry's own do.
namespace OpenTelemetry.Metrics;
#pragma warning restore IDE0130

/// <summary>Subscribes OpenTelemetry metrics to Fenix's instruments (docs/observability.md lists them).</summary>
public static class FenixMeterProviderBuilderExtensions
{
    /// <summary>Collects Fenix's meters: <c>Fenix</c> (connections, channels, messages, durations, cluster adapters) and <c>Fenix.Presence</c>.</summary>
    /// <example><code>
    /// builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddFenixInstrumentation().AddPrometheusExporter());
    /// </code></example>
    public static MeterProviderBuilder AddFenixInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(FenixDiagnostics.MeterName, FenixDiagnostics.PresenceMeterName);
    }
}
