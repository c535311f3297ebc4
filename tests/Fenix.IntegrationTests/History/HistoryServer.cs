using Fenix.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.IntegrationTests.History;

/// <summary>
/// A real Kestrel server on 127.0.0.1 whose <c>history:*</c> and <c>secret:*</c> topics keep history (in memory),
/// at <c>/ws</c> (WebSocket and long poll); <c>plain:*</c> keeps none.
/// </summary>
public class HistoryServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1");

    public TestLogSink Logs { get; } = new();

    public IFenixBroadcaster Broadcaster => _app!.Services.GetRequiredService<IFenixBroadcaster>();

    public IServiceProvider Services => _app!.Services;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders().AddProvider(Logs).SetMinimumLevel(LogLevel.Warning).AddFilter("Fenix", LogLevel.Debug);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddFenix(o => Configure(o.History.Topic("history:*", size: 100, ttl: TimeSpan.FromMinutes(5)).Topic("secret:*", size: 100)));
        _app = builder.Build();
        _app.MapFenixSocket<HistoryTestSocket>("/ws", o =>
        {
            o.LongPoll.Enabled = true;
            o.LongPoll.Window = TimeSpan.FromSeconds(1);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Adjusts the history settings (a derived server's limits).</summary>
    protected virtual void Configure(HistoryOptions history)
    {
    }
}

/// <summary>A <see cref="HistoryServer"/> whose recoveries may replay at most 5 messages and 2 KiB.</summary>
public sealed class CappedHistoryServer : HistoryServer
{
    public const int MaxMessages = 5;

    public const int MaxBytes = 2048;

    protected override void Configure(HistoryOptions history)
    {
        history.MaxRecoveryMessages = MaxMessages;
        history.MaxRecoveryBytes = MaxBytes;
    }
}

public sealed class HistoryTestSocket : FenixSocket
{
    public HistoryTestSocket()
    {
        Channel<HistoryRoomChannel>("history:*");
        Channel<HistoryRoomChannel>("plain:*");
        Channel<SecretChannel>("secret:*");
    }

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        ConnectResult.Accept(("user", parameters.Get("user") ?? "anonymous"));
}

/// <summary>Accepts joins (unless asked to refuse); "say" broadcasts to the room; "ping" replies.</summary>
public sealed class HistoryRoomChannel : Channel
{
    public override ValueTask<JoinResult> JoinAsync(Payload payload) =>
        payload.TryGetString("refuse", out _) ? JoinResult.Error(new { reason = "refused" }) : JoinResult.Ok(new { welcome = Socket.Assigns["user"] });

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        if (@event == "say")
        {
            Broadcast("said", payload);
            return HandleInResult.Ok();
        }

        return HandleInResult.Ok(new { pong = true });
    }
}

/// <summary>Intercepts "note": each recipient gets it only if addressed to them (or to all), rewritten with who saw it.</summary>
public sealed class SecretChannel : Channel
{
    public SecretChannel() => Intercept("note");

    public override ValueTask<JoinResult> JoinAsync(Payload payload) => JoinResult.Ok();

    public override ValueTask HandleOutAsync(string @event, Payload payload)
    {
        payload.TryGetString("to", out var to);
        var me = (string)Socket.Assigns["user"]!;
        if (to == "all" || to == me)
        {
            payload.TryGetString("text", out var text);
            Push(@event, new { text, seen_by = me });
        }

        return ValueTask.CompletedTask;
    }
}
