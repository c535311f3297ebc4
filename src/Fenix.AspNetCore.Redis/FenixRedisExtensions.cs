using System.Diagnostics.Metrics;
using Fenix;
using Fenix.Hosting;
using Fenix.PubSub.Redis;
using Fenix.PubSub.Redis.History;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Joins a Fenix server to a cluster through Redis, in code or from configuration.</summary>
public static class FenixRedisExtensions
{
    /// <summary>
    /// The configuration key of the StackExchange.Redis configuration string (e.g. <c>--Fenix:Redis 127.0.0.1:6379</c>).
    /// Its children, if any, set <see cref="RedisAdapterOptions"/> (e.g. <c>Fenix:Redis:Prefix</c>, <c>Fenix:Redis:Configuration</c>).
    /// </summary>
    public const string ConfigurationKey = "Fenix:Redis";

    /// <summary>
    /// The configuration key of a Redis for history only (e.g. <c>--Fenix:History:Redis 127.0.0.1:6379</c>), for a cluster
    /// whose broadcasts travel through another backend (RabbitMQ). With the Redis backend, history uses its Redis anyway.
    /// </summary>
    public const string HistoryConfigurationKey = "Fenix:History:Redis";


    /// <summary>
    /// Uses Redis (<paramref name="configuration"/>: a StackExchange.Redis configuration string) to reach the other nodes.
    /// The node is named by <see cref="FenixOptions.NodeName"/> (configuration key <c>Fenix:Node</c>); every node of the
    /// cluster needs its own name.
    /// </summary>
    /// <example><code>builder.Services.AddFenix(o => o.UseRedis("127.0.0.1:6379"));</code></example>
    public static FenixOptions UseRedis(this FenixOptions options, string configuration, Action<RedisAdapterOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        return options.UseRedis(adapter =>
        {
            adapter.Configuration = configuration;
            configure?.Invoke(adapter);
        });
    }

    /// <summary>Uses Redis with the settings <paramref name="configure"/> makes (it must set <see cref="RedisAdapterOptions.Configuration"/>).</summary>
    public static FenixOptions UseRedis(this FenixOptions options, Action<RedisAdapterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configure);
        var settings = new RedisAdapterOptions();
        configure(settings);
        settings.Validate(); // fail at startup, with a message saying what to fix, rather than at the first broadcast
        options.History.StoreFactory ??= provider => CreateHistoryStore(provider, settings, options.History.Retention);
        return options.UseAdapter((provider, nodeName) => CreateAdapter(provider, nodeName, settings));
    }

    /// <summary>
    /// Keeps the history of history topics (<see cref="FenixOptions.History"/>) in Redis (<paramref name="configuration"/>:
    /// a StackExchange.Redis configuration string), shared by every node of the cluster whatever carries its broadcasts.
    /// Configuration key <c>Fenix:History:Redis</c>. The Redis backend (<c>UseRedis</c>) does this by itself.
    /// </summary>
    /// <example><code>builder.Services.AddFenix(o => o.UseRedisHistory("127.0.0.1:6379").History.Topic("rooms:*"));</code></example>
    public static FenixOptions UseRedisHistory(this FenixOptions options, string configuration, Action<RedisAdapterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var settings = new RedisAdapterOptions { Configuration = configuration };
        configure?.Invoke(settings);
        return options.UseRedisHistory(settings);
    }

    private static FenixOptions UseRedisHistory(this FenixOptions options, RedisAdapterOptions settings)
    {
        settings.Validate(); // fail at startup, with a message saying what to fix
        options.History.StoreFactory = provider => CreateHistoryStore(provider, settings, options.History.Retention);
        return options;
    }

    /// <summary>
    /// Joins the cluster when the configuration names a Redis (key <c>Fenix:Redis</c>, from appsettings, environment
    /// <c>Fenix__Redis</c> or the command line); without it the server stays a single node. An adapter configured in
    /// code (<see cref="UseRedis(FenixOptions, string, Action{RedisAdapterOptions}?)"/>) takes precedence.
    /// </summary>
    /// <param name="configure">Adjusts the settings read from configuration.</param>
    /// <example><code>builder.Services.AddFenix().AddRedis();</code></example>
    public static FenixBuilder AddRedis(this FenixBuilder builder, Action<RedisAdapterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FenixOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            var configuration = provider.GetService<IConfiguration>();
            if (configuration?.GetSection(HistoryConfigurationKey) is { } history && history.Exists())
            {
                var settings = new RedisAdapterOptions { Configuration = string.IsNullOrEmpty(history.Value) ? null : history.Value };
                history.Bind(settings);
                configure?.Invoke(settings);
                options.UseRedisHistory(settings);
            }

            if (ClusterBackendSection.ToUse(options, configuration, ConfigurationKey) is not { } section)
            {
                return;
            }

            options.UseRedis(settings =>
            {
                ClusterBackendSection.Bind(section, settings, (redis, value) => redis.Configuration = value);
                configure?.Invoke(settings);
            });
        });
        return builder;
    }

    private static RedisHistoryStore CreateHistoryStore(IServiceProvider provider, RedisAdapterOptions settings, TimeSpan retention) =>
        new(settings, retention, provider.GetService<ILoggerFactory>());

    private static RedisAdapter CreateAdapter(IServiceProvider provider, string nodeName, RedisAdapterOptions settings) =>
        new(nodeName, settings, provider.GetService<ILoggerFactory>(), provider.GetService<IMeterFactory>(), provider.GetService<TimeProvider>());
}
