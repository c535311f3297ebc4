using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fenix.Client.Tests.Integration;

/// <summary>A real Fenix server on 127.0.0.1 (Kestrel), with <see cref="TestSocket"/> mounted at <c>/socket</c>.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebApplication app, int port, ServerProbe probe)
    {
        App = app;
        Port = port;
        Probe = probe;
    }

    public WebApplication App { get; }

    public int Port { get; }

    /// <summary>What the server's channels observed.</summary>
    public ServerProbe Probe { get; }

    /// <summary>The endpoint a client connects to.</summary>
    public string Endpoint => $"ws://127.0.0.1:{Port}/socket";

    /// <summary>Starts a server on <paramref name="port"/> (0: any free port).</summary>
    public static async Task<TestServer> StartAsync(int port = 0, ServerProbe? probe = null, Action<SocketMountOptions>? mount = null)
    {
        probe ??= new ServerProbe();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(probe);
        builder.Services.AddFenix(options =>
        {
            options.DrainInterval = TimeSpan.FromMilliseconds(10);
            options.History.Topic("history:*"); // only these topics keep history (see HistoryRecoveryTests)
        });

        // Kestrel stops before Fenix's drain and waits this long for open WebSockets (see the restart test).
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(3));
        var app = builder.Build();
        app.MapFenixSocket<TestSocket>("/socket", mount);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address).Port, probe);
    }

    /// <summary>Stops the server (clients are drained with close 1012) and releases the port.</summary>
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
