using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Claims;
using Fenix.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 with the mounts of the upstream fixture (protocol.md §10): <c>/ws</c>,
/// <c>/ws/admin</c>, <c>/ws/limited</c> (one channel), <c>/ws/idle</c> (200 ms idle timeout; <c>/ws/idle-4s</c>: 4 s), <c>/ws/origin</c>
/// (only //example.com), <c>/ws/sip</c> (subprotocol list ["sip"]) and <c>/ws/small</c> (1 KB messages, 64 KB outbound).
/// It captures its own logs (Fenix's at Debug) and counts its own slow-consumer closes.
/// </summary>
public class FixtureServer : IAsyncLifetime
{
    private readonly bool _tls;
    private readonly bool _direct;
    private readonly Action<KestrelServerOptions>? _kestrel;
    private readonly TimeProvider? _time;
    private readonly MeterListener _meters = new();
    private WebApplication? _app;
    private long _slowConsumers;

    public FixtureServer()
        : this(tls: false)
    {
    }

    /// <param name="tls">Serve HTTPS with <see cref="TestCertificate"/>: HTTP/1.1 and HTTP/2 (ALPN), so WebSockets
    /// may come as HTTP/2 extended CONNECTs.</param>
    /// <param name="kestrel">Changes to Kestrel's options (e.g. limits) for a server of one test.</param>
    /// <param name="time">The clock of Fenix's services (a fake one for tests that move time themselves).</param>
    /// <param name="direct">Serve HTTP/1.1 WebSockets on the direct listener (<c>UseFenixWebSockets</c>), below the HTTP stack.</param>
    protected FixtureServer(bool tls, Action<KestrelServerOptions>? kestrel = null, TimeProvider? time = null, bool direct = false)
    {
        _tls = tls;
        _direct = direct;
        _kestrel = kestrel;
        _time = time;
    }

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1");

    /// <summary>Whether tests should open their WebSockets over HTTP/2 (the TLS variant).</summary>
    public bool Http2 => _tls;

    public TerminationLog Terminations { get; } = new();

    /// <summary>Every log entry of the server: Fenix's from Debug up, everything else from Warning up.</summary>
    public TestLogSink Logs { get; } = new();

    /// <summary>Connections this server closed as slow consumers (its own <c>fenix.connections.slow_consumer</c>).</summary>
    public long SlowConsumers => Interlocked.Read(ref _slowConsumers);

    public IFenixBroadcaster Broadcaster => _app!.Services.GetRequiredService<IFenixBroadcaster>();

    public IServiceProvider Services => _app!.Services;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders().AddProvider(Logs).SetMinimumLevel(LogLevel.Warning).AddFilter("Fenix", LogLevel.Debug);
        if (_kestrel is not null)
        {
            builder.WebHost.ConfigureKestrel(_kestrel);
        }

        if (_tls)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(TestCertificate.Certificate);
            }));
        }
        else if (_direct)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseFenixWebSockets()));
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        if (_time is not null)
        {
            builder.Services.AddSingleton(_time);
        }

        builder.Services.AddSingleton(Terminations);
        builder.Services.AddFenix(options => options.RequestHeadersTimeout = TimeSpan.FromSeconds(2)).AddPresence();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddAuthorization(options => options.AddPolicy("admins", policy => policy.RequireRole("admin")));
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/login", async (HttpContext context, string name) =>
        {
            var claims = new List<Claim> { new(ClaimTypes.Name, name) };
            if (name == "root")
            {
                claims.Add(new Claim(ClaimTypes.Role, "admin"));
            }

            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.Ok();
        });
        _app.MapFenixSocket<AuthenticatedSocket>("/ws/auth");
        _app.MapFenixSocket<FixtureSocket>("/ws", o =>
        {
            o.LongPoll.Enabled = true;
            o.LongPoll.Window = TimeSpan.FromSeconds(1);
        });
        _app.MapFenixSocket<FixtureSocket>("/ws/lp-small", o =>
        {
            o.LongPoll.Enabled = true;
            o.LongPoll.Window = TimeSpan.FromMilliseconds(300);
            o.LongPoll.MaxBufferedBytes = 16 * 1024;
            o.LongPoll.TokenMaxAge = TimeSpan.FromSeconds(1);
        });
        _app.MapFenixSocket<FixtureSocket>("/ws/lp-short", o =>
        {
            o.LongPoll.Enabled = true;
            o.LongPoll.Window = TimeSpan.FromMilliseconds(300); // expires 450 ms after a poll; tokens keep the default age
        });
        _app.MapFenixSocket<FixtureSocket>("/ws/admin");
        _app.MapFenixSocket<FixtureSocket>("/ws/limited", o => o.MaxChannels = 1);
        _app.MapFenixSocket<FixtureSocket>("/ws/idle", o => o.WebSocket.IdleTimeout = TimeSpan.FromMilliseconds(200));
        _app.MapFenixSocket<FixtureSocket>("/ws/idle-4s", o => o.WebSocket.IdleTimeout = TimeSpan.FromSeconds(4));
        _app.MapFenixSocket<FixtureSocket>("/ws/origin", o =>
        {
            o.CheckOrigin = OriginCheck.Allow("//example.com");
            o.LongPoll.Enabled = true;
        });
        _app.MapFenixSocket<FixtureSocket>("/ws/sip", o => o.WebSocket.Subprotocols.Add("sip"));
        _app.MapFenixSocket<FixtureSocket>("/ws/small", o =>
        {
            o.WebSocket.MaxMessageSize = 1024;
            o.MaxOutboundBytes = 64 * 1024;
        });
        _app.MapFenixSocket<FixtureSocket>("/ws/{tenant}/path");
        _app.MapFenixSocket<FixtureSocket>("/ws/guarded").RequireAuthorization("admins");
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));

        var meterFactory = _app.Services.GetRequiredService<IMeterFactory>();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Name == "fenix.connections.slow_consumer")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _slowConsumers, value));
        _meters.Start();
    }

    /// <summary>Warnings and errors logged since <paramref name="mark"/> (an index into <see cref="Logs"/>' entries).</summary>
    public IReadOnlyList<LogEntry> ProblemsSince(int mark) =>
        [.. Logs.Entries.Skip(mark).Where(entry => entry.Level >= LogLevel.Warning)];

    public async ValueTask DisposeAsync()
    {
        _meters.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>The same fixture over HTTPS, where clients open their WebSockets with HTTP/2 extended CONNECTs (RFC 8441).</summary>
public sealed class TlsFixtureServer() : FixtureServer(tls: true);

/// <summary>The same fixture with its HTTP/1.1 WebSockets served by the direct listener (<c>UseFenixWebSockets</c>).</summary>
public sealed class DirectFixtureServer() : FixtureServer(tls: false, direct: true);

/// <summary>
/// The same fixture on a fake clock: sessions expire, tokens age and idle connections time out only when a test moves
/// <see cref="Clock"/>, so no test races a timeout on a loaded machine. (Kestrel keeps its own real clock.)
/// </summary>
public sealed class FakeClockFixtureServer() : FixtureServer(tls: false, time: new FakeTimeProvider())
{
    public FakeTimeProvider Clock => (FakeTimeProvider)Services.GetRequiredService<TimeProvider>();
}
