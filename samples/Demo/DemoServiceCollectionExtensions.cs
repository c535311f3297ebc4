using Demo.Dispatch;
using Demo.Pointing;
using Demo.Training;

namespace Demo;

/// <summary>The services of the Demo's apps (Fenix and presence are added by the caller).</summary>
public static class DemoServiceCollectionExtensions
{
    /// <summary>Adds the apps' stores and name generator; the Dispatch pager (a hosted service) only when <paramref name="withPager"/>.</summary>
    public static IServiceCollection AddDemoApps(this IServiceCollection services, bool withPager = true)
    {
        services.AddSingleton<PointingRooms>();
        services.AddSingleton<HeroNames>();
        services.AddSingleton<TrainingSessions>();
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section);
        if (withPager)
        {
            services.AddSingleton<DispatchPager>();
            services.AddHostedService(provider => provider.GetRequiredService<DispatchPager>());
        }

        return services;
    }
}
