using Fenix;
using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.History;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Transports;
using Fenix.AspNetCore.Transports.LongPoll;
using Fenix.Diagnostics;
using Fenix.PubSub;
using Fenix.PubSub.Adapters;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers Fenix's services.</summary>
public static class FenixServiceCollectionExtensions
{
    /// <summary>
    /// Adds Fenix: PubSub (in-process unless an adapter is configured), the broadcaster, tokens, metrics and the
    /// connection registry. Configuration key <c>Fenix:Node</c> names this node.
    /// </summary>
    public static FenixBuilder AddFenix(this IServiceCollection services, Action<FenixOptions>? configure = null)
    {
        var builder = new FenixBuilder(services);
        if (services.Any(d => d.ServiceType == typeof(FenixRuntime)))
        {
            if (configure is not null)
            {
                services.Configure(configure);
            }

            return builder;
        }

        // Configuration first (section Fenix, e.g. Fenix:DrainTimeout; Fenix:Node names the node), then code, which wins.
        services.AddOptions<FenixOptions>()
            .Configure<IServiceProvider>((options, provider) =>
            {
                if (provider.GetService<IConfiguration>()?.GetSection(FenixOptions.Section) is { } section && section.Exists())
                {
                    section.Bind(options);
                    options.NodeName ??= section["Node"];
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FenixOptions>, FenixOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddDataProtection();
        services.TryAddSingleton(_ => new FenixTopicStatistics());
        services.TryAddSingleton<FenixMetrics>();
        services.TryAddSingleton(provider => new FenixTelemetry(
            provider.GetRequiredService<FenixMetrics>(),
            new JoinRefusalReporter(provider.GetRequiredService<ILoggerFactory>().CreateLogger("Fenix.Channel"), provider.GetRequiredService<TimeProvider>(), JoinRefusalReporter.DefaultInterval),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new FenixToken(
            provider.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<FenixOptions>>().Value.TokenClockSkew));
        services.TryAddSingleton(CreatePubSub);
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<LongPollSessionRegistry>();
        services.TryAddSingleton<FenixRuntime>();
        services.TryAddSingleton<HistoryService>();
        services.TryAddSingleton<IFenixBroadcaster>(provider => new FenixBroadcaster(
            provider.GetRequiredService<FenixPubSub>(),
            provider.GetRequiredService<IOptions<FenixOptions>>().Value.Json,
            provider.GetRequiredService<HistoryService>()));
        services.AddHostedService<FenixHostedService>();
        services.AddHostedService<HistoryHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<ConnectionRegistry>());
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, FenixKestrelLimits>();
        return builder;
    }

    private static FenixPubSub CreatePubSub(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<FenixOptions>>().Value;
        var nodeName = options.NodeName ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        var adapter = options.AdapterFactory?.Invoke(provider, nodeName) ?? new InProcessAdapter(nodeName);
        var log = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Fenix.PubSub");
        // Broadcasts from other nodes wake their writers in chunks (or write inline) exactly as local ones do.
        var pubSub = new FenixPubSub(adapter, (topic, exception) => log.DeliveryFailed(topic, exception)) { DispatchBatch = WriterBatch.Dispatch };
        pubSub.RegisterDecoder(new BroadcastMessageDecoder());
        pubSub.RegisterDecoder(new PositionedBroadcastDecoder());
        return pubSub;
    }

    /// <summary>Keeps Kestrel's connection limits under the open-file limit and bounds the time to send request headers.</summary>
    private sealed class FenixKestrelLimits(IOptions<FenixOptions> options) : IConfigureOptions<KestrelServerOptions>
    {
        private static readonly TimeSpan KestrelDefaultRequestHeadersTimeout = new KestrelServerLimits().RequestHeadersTimeout;

        public void Configure(KestrelServerOptions kestrel)
        {
            var settings = options.Value;
            if (settings.RequestHeadersTimeout is { } headersTimeout && kestrel.Limits.RequestHeadersTimeout == KestrelDefaultRequestHeadersTimeout)
            {
                kestrel.Limits.RequestHeadersTimeout = headersTimeout;
            }

            if (!settings.LimitConnectionsToFileDescriptors || FileDescriptorLimit.Read() is not { } limit)
            {
                return;
            }

            // Keep what the process already holds (loaded assemblies alone take a couple of hundred) plus a margin for
            // files and outgoing connections (a quarter of the limit when it is small).
            var inUse = FileDescriptorLimit.OpenCount() ?? 0;
            var allowed = Math.Max(16, limit - inUse - Math.Min(settings.ReservedFileDescriptors, limit / 4));
            kestrel.Limits.MaxConcurrentConnections ??= allowed;
            kestrel.Limits.MaxConcurrentUpgradedConnections ??= allowed;
        }
    }
}
