using System.Diagnostics.Metrics;
using Fenix;
using Fenix.Hosting;
using Fenix.PubSub.RabbitMQ;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Joins a Fenix server to a cluster through RabbitMQ, in code or from configuration.</summary>
public static class FenixRabbitMqExtensions
{
    /// <summary>
    /// The configuration key of the broker URI (e.g. <c>--Fenix:RabbitMQ amqp://guest:guest@127.0.0.1:5672/</c>). Its
    /// children, if any, set <see cref="RabbitMqAdapterOptions"/> (e.g. <c>Fenix:RabbitMQ:Prefix</c>, <c>Fenix:RabbitMQ:Uri</c>).
    /// </summary>
    public const string ConfigurationKey = "Fenix:RabbitMQ";


    /// <summary>
    /// Uses RabbitMQ at <paramref name="uri"/> to reach the other nodes. The node is named by <see cref="FenixOptions.NodeName"/>
    /// (configuration key <c>Fenix:Node</c>); every node of the cluster needs its own name.
    /// </summary>
    /// <example><code>builder.Services.AddFenix(o => o.UseRabbitMQ("amqp://guest:guest@127.0.0.1:5672/"));</code></example>
    public static FenixOptions UseRabbitMQ(this FenixOptions options, string uri, Action<RabbitMqAdapterOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        return options.UseRabbitMQ(adapter =>
        {
            adapter.Uri = ParseUri(uri);
            configure?.Invoke(adapter);
        });
    }

    /// <summary>Uses RabbitMQ with the settings <paramref name="configure"/> makes (it must set <see cref="RabbitMqAdapterOptions.Uri"/>).</summary>
    public static FenixOptions UseRabbitMQ(this FenixOptions options, Action<RabbitMqAdapterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configure);
        var settings = new RabbitMqAdapterOptions();
        configure(settings);
        settings.Validate(); // fail at startup, with a message saying what to fix, rather than at the first broadcast
        return options.UseAdapter((provider, nodeName) => CreateAdapter(provider, nodeName, settings));
    }

    /// <summary>
    /// Joins the cluster when the configuration names a broker (key <c>Fenix:RabbitMQ</c>, from appsettings, environment
    /// <c>Fenix__RabbitMQ</c> or the command line); without it the server stays a single node. An adapter configured in
    /// code (<see cref="UseRabbitMQ(FenixOptions, string, Action{RabbitMqAdapterOptions}?)"/>) takes precedence.
    /// </summary>
    /// <param name="configure">Adjusts the settings read from configuration.</param>
    /// <example><code>builder.Services.AddFenix().AddRabbitMQ();</code></example>
    public static FenixBuilder AddRabbitMQ(this FenixBuilder builder, Action<RabbitMqAdapterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FenixOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            var configuration = provider.GetService<IConfiguration>();
            if (ClusterBackendSection.ToUse(options, configuration, ConfigurationKey) is not { } section)
            {
                return;
            }

            options.UseRabbitMQ(settings =>
            {
                ClusterBackendSection.Bind(section, settings, (rabbit, value) => rabbit.Uri = ParseUri(value));
                configure?.Invoke(settings);
            });
        });
        return builder;
    }

    private static Uri ParseUri(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"The RabbitMQ URI \"{uri}\" cannot be parsed: expected amqp://user:password@host:5672/vhost (configuration key {ConfigurationKey}).");

    private static RabbitMqAdapter CreateAdapter(IServiceProvider provider, string nodeName, RabbitMqAdapterOptions settings) =>
        new(nodeName, settings, provider.GetService<ILoggerFactory>(), provider.GetService<IMeterFactory>(), provider.GetService<TimeProvider>());
}
