using System.Diagnostics.Metrics;
using Fenix;
using Fenix.AspNetCore.Presence;
using Fenix.Presence;
using Fenix.Presence.Diagnostics;
using Fenix.PubSub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Adds Phoenix Presence to Fenix.</summary>
public static class FenixPresenceBuilderExtensions
{
    /// <summary>
    /// Adds presence: the node's <see cref="PresenceTracker"/> (its shards gossip with the other nodes through PubSub),
    /// <see cref="IPresence"/> for channels, <c>presence_diff</c> broadcasts to local subscribers, and start/stop with
    /// the host. A registered <see cref="IPresenceFetcher"/> (or <see cref="PresenceOptions.Fetch"/>) enriches presences.
    /// Options bind from the configuration section <c>Fenix:Presence</c> too; every node of a cluster should agree on them.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddFenix().AddPresence(options => options.CoalesceDiffs("rooms:*", TimeSpan.FromMilliseconds(100)));
    /// </code></example>
    public static FenixBuilder AddPresence(this FenixBuilder builder, Action<PresenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var first = !services.Any(d => d.ServiceType == typeof(PresenceTracker));
        if (first)
        {
            // Configuration first (section Fenix:Presence, e.g. Fenix:Presence:DownPeriod), then code, which wins.
            services.AddOptions<PresenceOptions>()
                .Configure<IServiceProvider>((presence, provider) => provider.GetService<IConfiguration>()?.GetSection("Fenix:Presence").Bind(presence))
                .PostConfigure<IOptions<FenixOptions>>((presence, fenix) => presence.JsonOptions ??= fenix.Value.Json);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (!first)
        {
            return builder;
        }

        services.TryAddSingleton(provider => new PresenceMetrics(provider.GetService<IMeterFactory>()));
        services.TryAddSingleton(CreateTracker);
        services.TryAddSingleton<IPresence, ChannelPresence>();
        services.AddHostedService<PresenceHostedService>();
        return builder;
    }

    /// <summary>Adds presence with <typeparamref name="TFetcher"/> as the fetch hook (a singleton built with constructor injection).</summary>
    public static FenixBuilder AddPresence<TFetcher>(this FenixBuilder builder, Action<PresenceOptions>? configure = null)
        where TFetcher : class, IPresenceFetcher
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IPresenceFetcher, TFetcher>();
        return builder.AddPresence(configure);
    }

    private static PresenceTracker CreateTracker(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<PresenceOptions>>().Value;
        var pubSub = provider.GetRequiredService<FenixPubSub>();
        return new PresenceTracker(
            pubSub,
            options,
            new PresenceDiffBroadcaster(pubSub, options.JsonOptions!),
            provider.GetService<IPresenceFetcher>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetRequiredService<PresenceMetrics>());
    }
}
