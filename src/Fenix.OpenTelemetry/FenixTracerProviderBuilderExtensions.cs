using Fenix.Diagnostics;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as OpenTelemetry's own do.
namespace OpenTelemetry.Trace;
#pragma warning restore IDE0130

/// <summary>Subscribes OpenTelemetry tracing to Fenix's spans (docs/observability.md describes them).</summary>
public static class FenixTracerProviderBuilderExtensions
{
    /// <summary>Records Fenix's spans: connect (continuing the client's W3C trace context), join and handle_in.</summary>
    /// <example><code>
    /// builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddFenixInstrumentation());
    /// </code></example>
    public static TracerProviderBuilder AddFenixInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(FenixDiagnostics.ActivitySourceName);
    }
}
