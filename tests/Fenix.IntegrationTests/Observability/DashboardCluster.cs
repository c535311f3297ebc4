using System.Net;
using Fenix.IntegrationTests.Infrastructure;
using Fenix.Testing.RabbitMQ;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.IntegrationTests.Observability;

/// <summary>
/// Two Fenix nodes in this process, clustered through the local RabbitMQ broker (a prefix of their own), each with
/// presence, the dashboard (behind a policy that admits loopback only), health checks and the fixture's socket at
/// <c>/ws</c> (WebSocket and long poll). Presence keeps its default down period (30 s): a loaded machine must not see a
/// live node as down; <see cref="QuickDownCluster"/> shortens it for the tests that stop a node.
/// </summary>
public class DashboardCluster : IAsyncLifetime
{
    public const string Policy = "dashboard-local";

    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly TimeSpan? _downPeriod;
    private IAsyncDisposable? _broker;

    public DashboardCluster()
        : this(downPeriod: null)
    {
    }

    protected DashboardCluster(TimeSpan? downPeriod) => _downPeriod = downPeriod;

    public DashboardNode A { get; private set; } = null!;

    public DashboardNode B { get; private set; } = null!;

    public string Prefix { get; } = RabbitMqBroker.NewPrefix("dashboard");

    public async ValueTask InitializeAsync()
    {
        _broker = await RabbitMqBroker.ShareAsync();
        A = await DashboardNode.StartAsync($"dash-a-{_run}", Prefix, _downPeriod);
        B = await DashboardNode.StartAsync($"dash-b-{_run}", Prefix, _downPeriod);
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>A <see cref="DashboardCluster"/> whose presence sees a silent node down after 2 s (heartbeats every 200 ms).</summary>
public sealed class QuickDownCluster() : DashboardCluster(TimeSpan.FromSeconds(2));

/// <summary>One node of a <see cref="DashboardCluster"/>.</summary>
public sealed class DashboardNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardNode(string name, WebApplication app, Uri baseUri)
    {
        Name = name;
        _app = app;
        BaseUri = baseUri;
    }

    public string Name { get; }

    public Uri BaseUri { get; }

    public IServiceProvider Services => _app.Services;

    public bool Stopped { get; private set; }

    public static async Task<DashboardNode> StartAsync(string name, string prefix, TimeSpan? downPeriod)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<TerminationLog>();
        builder.Services.AddFenix(options =>
            {
                options.NodeName = name;
                options.UseRabbitMQ(RabbitMqBroker.Uri.ToString(), rabbit => rabbit.Prefix = prefix);
            })
            .AddPresence(presence =>
            {
                if (downPeriod is { } down)
                {
                    presence.BroadcastPeriod = TimeSpan.FromMilliseconds(200);
                    presence.DownPeriod = down;
                }
            })
            .AddDashboard(dashboard => dashboard.RefreshInterval = TimeSpan.FromMilliseconds(500));
        builder.Services.AddHealthChecks().AddFenixHealthChecks();
        builder.Services.AddAuthorization(options => options.AddPolicy(DashboardCluster.Policy, policy => policy.RequireAssertion(context =>
            context.Resource is HttpContext http && http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address))));
        var app = builder.Build();
        app.MapFenixSocket<FixtureSocket>("/ws", socket => socket.LongPoll.Enabled = true);
        app.MapFenixDashboard("/fenix").RequireAuthorization(DashboardCluster.Policy);
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = (context, report) => context.Response.WriteAsync(
                $"{report.Status}\n{string.Join('\n', report.Entries.Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description}"))}"),
        });
        await app.StartAsync();
        return new DashboardNode(name, app, new Uri(app.Urls.First()));
    }

    /// <summary>Stops the node (without a graceful presence permdown, like a node that went away).</summary>
    public async Task StopAsync()
    {
        if (!Stopped)
        {
            Stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
