using Fenix.AspNetCore.Diagnostics;
using Fenix.IntegrationTests.Infrastructure;
using Fenix.Tests.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.IntegrationTests.Model;

/// <summary>A real Kestrel on 127.0.0.1 serving <see cref="ModelSocket"/> at <c>/model</c> over WebSocket and long poll, with presence.</summary>
public class ModelServer : IAsyncLifetime
{
    private readonly bool _direct;
    private WebApplication? _app;

    public ModelServer()
        : this(direct: false)
    {
    }

    /// <param name="direct">Serve the WebSockets on the direct listener (<c>UseFenixWebSockets</c>); long poll stays on the HTTP stack of the same port.</param>
    protected ModelServer(bool direct) => _direct = direct;

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1");

    public IFenixBroadcaster Broadcaster => _app!.Services.GetRequiredService<IFenixBroadcaster>();

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        if (_direct)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.UseFenixWebSockets()));
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        builder.Services.AddFenix().AddPresence();
        _app = builder.Build();
        _app.MapFenixSocket<ModelSocket>("/model", options =>
        {
            options.LongPoll.Enabled = true;
            options.LongPoll.Window = TimeSpan.FromSeconds(10);
        });
        await _app.StartAsync();
        BaseUri = new Uri(_app.Urls.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Once a socket ended, none of its topics keeps a subscriber or a presence (both settle asynchronously).</summary>
    public async Task<string?> LeftoversAsync(IEnumerable<string> topics)
    {
        var pubSub = _app!.Services.GetRequiredService<Fenix.PubSub.FenixPubSub>();
        var presence = _app.Services.GetRequiredService<IPresence>();
        var deadline = DateTime.UtcNow + Patience.Default;
        while (true)
        {
            var left = new List<string>();
            foreach (var topic in topics)
            {
                var subscribers = pubSub.SubscriberCount(topic);
                var present = (await presence.ListAsync(topic)).Count;
                if (subscribers > 0 || present > 0)
                {
                    left.Add($"{topic}: {subscribers} subscribers, {present} presences");
                }
            }

            if (left.Count == 0)
            {
                return null;
            }

            if (DateTime.UtcNow > deadline)
            {
                return "left behind after the socket ended: " + string.Join("; ", left);
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Channels the server counts as joined (every socket of every run ended: must fall to zero).</summary>
    public long ActiveChannels => _app!.Services.GetRequiredService<FenixMetrics>().ActiveChannels;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>The model server with its WebSockets on the direct listener and long poll on the HTTP stack of the same port.</summary>
public sealed class DirectModelServer() : ModelServer(direct: true);
