namespace Fenix.Diagnostics;

/// <summary>
/// The names under which Fenix reports what it does: its <see cref="System.Diagnostics.ActivitySource"/> (spans for
/// connect, join and handle_in) and its meters. They are stable; docs/observability.md lists every span and instrument.
/// With OpenTelemetry, <c>AddFenixInstrumentation()</c> (package Fenix.OpenTelemetry) subscribes to all of them.
/// </summary>
public static class FenixDiagnostics
{
    /// <summary>The activity source of connect, join and handle_in spans.</summary>
    public const string ActivitySourceName = "Fenix";

    /// <summary>The meter of connections, channels, messages and cluster adapters.</summary>
    public const string MeterName = "Fenix";

    /// <summary>The meter of presence (tracker shards, gossip, diffs).</summary>
    public const string PresenceMeterName = "Fenix.Presence";
}
