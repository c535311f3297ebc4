using System.Net;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>
/// Fenix drains in the host's "stopping" phase, and Kestrel stops listening only after it, when the hosted services
/// stop; meanwhile every drained client reconnects (the JS client after 10 ms). A WebSocket that got in then was never
/// asked to leave, so Kestrel waited out its whole shutdown timeout on it (a loaded run saw a Demo restart take over
/// 30 s). A lifecycle service whose "stopping" runs after Fenix's and waits for the test holds that window open.
/// </summary>
public sealed class DrainWindowTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // WebSockets on the direct listener (UseFenixWebSockets)
    public async Task A_WebSocket_that_arrives_while_the_server_drains_is_refused_and_does_not_hold_up_the_shutdown(bool direct)
    {
        var gate = new StopGate();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        if (direct)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseFenixWebSockets()));
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        builder.Services.AddHostedService(_ => gate); // before Fenix: the host runs "stopping" in reverse order
        builder.Services.AddSingleton<TerminationLog>();
        builder.Services.AddFenix();
        await using var app = builder.Build();
        app.MapFenixSocket<FixtureSocket>("/ws");
        await app.StartAsync(TestContext.Current.CancellationToken);
        var server = new Uri(app.Urls.First());

        await using var early = await PhoenixTestClient.ConnectAsync(server, "/ws", "2.0.0");
        var stopping = app.StopAsync(CancellationToken.None);
        Assert.Equal(1012, (await early.WaitForCloseAsync(Patience.Default))?.CloseCode);
        await gate.Stopping.WaitAsync(Patience.Default, TestContext.Current.CancellationToken); // drained, Kestrel still listening

        await using var late = await RawWebSocket.ConnectAsync(server, "/ws/websocket?vsn=2.0.0");
        Assert.Equal(503, late.Handshake.Status);

        gate.Release();
        var started = DateTime.UtcNow;
        await stopping.WaitAsync(Patience.Default, TestContext.Current.CancellationToken);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "Kestrel waited for a connection nobody drained (its shutdown timeout is 30 s)");
    }

    /// <summary>A lifecycle service whose "stopping" waits for the test: the window between the drain and Kestrel's stop.</summary>
    private sealed class StopGate : IHostedLifecycleService
    {
        private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Stopping => _stopping.Task;

        public void Release() => _released.TrySetResult();

        public Task StoppingAsync(CancellationToken cancellationToken)
        {
            _stopping.TrySetResult();
            return _released.Task;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
