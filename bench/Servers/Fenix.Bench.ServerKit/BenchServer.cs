using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Fenix.Bench.ServerKit;

/// <summary>
/// Builds every server under test the same way: Kestrel on the address the bench tool passes (<c>--urls</c>),
/// the same connection limits, and warnings-only logging (a log line per connection would be measured too).
/// </summary>
public static class BenchServer
{
    /// <summary>Descriptors kept free for files and the runtime; the same reserve Fenix applies by default.</summary>
    public const int ReservedFileDescriptors = 512;

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // A process that runs out of descriptors aborts; refusing connections below the limit keeps it alive.
        // Fenix sets this itself; the same values are applied to every server so all refuse at the same count.
        var limit = ProcessMemory.OpenFileLimit() is { } fds ? Math.Max(16, fds - ReservedFileDescriptors) : (long?)null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            kestrel.Limits.MaxConcurrentConnections = limit;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limit;
        });
        return builder;
    }

    /// <summary>Maps <c>/bench/ping</c>, <c>/bench/stats</c> and <c>/bench/broadcast</c>.</summary>
    public static WebApplication MapBenchEndpoints(this WebApplication app, string serverName)
    {
        BenchEndpoints.Map(app, serverName);
        return app;
    }
}
