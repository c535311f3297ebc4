using Fenix;
using Fenix.Dashboard;
using Fenix.Dashboard.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the Fenix dashboard's services (map its page with <c>app.MapFenixDashboard("/fenix")</c>).</summary>
public static class FenixDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds what the dashboard needs on this node: the collector of its figures, the reporter that sends them while a
    /// page watches, and a log provider keeping Fenix's recent warnings and errors. Every node of a cluster should add
    /// it, so that each appears on the dashboard. Settings bind from the configuration section <c>Fenix:Dashboard</c>.
    /// </summary>
    /// <example><code>builder.Services.AddFenix().AddDashboard();</code></example>
    public static FenixBuilder AddDashboard(this FenixBuilder builder, Action<FenixDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(DashboardCollector)))
        {
            return builder;
        }

        services.AddOptions<FenixDashboardOptions>()
            .Configure<IServiceProvider>((options, provider) => provider.GetService<IConfiguration>()?.GetSection("Fenix:Dashboard").Bind(options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FenixDashboardOptions>, DashboardOptionsValidator>());
        services.TryAddSingleton<RecentErrors>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, RecentErrors>(provider => provider.GetRequiredService<RecentErrors>()));
        services.TryAddSingleton<MeterTotals>();
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<DashboardCollector>(provider));
        services.TryAddSingleton<DashboardAssets>();
        services.AddHostedService<DashboardPublisher>();
        return builder;
    }

    /// <summary>Reports every problem of the dashboard's settings at once, with what to set.</summary>
    private sealed class DashboardOptionsValidator : IValidateOptions<FenixDashboardOptions>
    {
        public ValidateOptionsResult Validate(string? name, FenixDashboardOptions options) =>
            options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
