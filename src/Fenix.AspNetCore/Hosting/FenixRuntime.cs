using System.Text.Json;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.History;
using Fenix.AspNetCore.Internal;
using Fenix.AspNetCore.Transports;
using Fenix.PubSub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fenix.AspNetCore.Hosting;

/// <summary>The services every socket and channel of this server shares, gathered in one place.</summary>
internal sealed class FenixRuntime(
    FenixPubSub pubSub,
    IOptions<FenixOptions> options,
    FenixMetrics metrics,
    FenixTelemetry telemetry,
    ConnectionRegistry connections,
    ILoggerFactory loggerFactory,
    TimeProvider time,
    IServiceProvider services)
{
    public FenixPubSub PubSub { get; } = pubSub;

    public FenixOptions Options { get; } = options.Value;

    public JsonSerializerOptions Json { get; } = options.Value.Json;

    public FenixMetrics Metrics { get; } = metrics;

    /// <summary>Spans and durations of connect, join and handle_in.</summary>
    public FenixTelemetry Telemetry { get; } = telemetry;

    public ConnectionRegistry Connections { get; } = connections;

    public ILogger SocketLog { get; } = loggerFactory.CreateLogger("Fenix.Socket");

    public ILogger ChannelLog { get; } = loggerFactory.CreateLogger("Fenix.Channel");

    public TimeProvider Time { get; } = time;

    public IServiceProvider Services { get; } = services;

    /// <summary>Creates the scope each channel lives in (created before its join, disposed after its terminate).</summary>
    public IServiceScopeFactory ScopeFactory { get; } = services.GetRequiredService<IServiceScopeFactory>();

    /// <summary>Topics that keep a history, their store and feeds (resolved on first use).</summary>
    public HistoryService History => field ??= Services.GetRequiredService<HistoryService>();

    /// <summary>Where channel mailboxes run; the thread pool except in the deterministic interleaving tests.</summary>
    public WorkScheduler Scheduler { get; set; } = WorkScheduler.ThreadPool;
}
