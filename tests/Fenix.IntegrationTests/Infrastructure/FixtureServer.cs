using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 with the mounts of the upstream fixture (protocol.md §10): <c>/ws</c>,
/// <c>/ws/admin</c>, <c>/ws/limited</c> (one channel), <c>/ws/idle</c> (200 ms idle timeout), <c>/ws/origin</c>
/// (only //example.com), <c>/ws/sip</c> (subprotocol list ["sip"]) and <c>/ws/small</c> (1 KB messages, 64 KB outbound).
/// </summary>
public sealed class FixtureServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1");

    public TerminationLog Terminations { get; } = new();

    public IFenixBroadcaster Broadcaster => _app!.Services.GetRequiredService<IFenixBroadcaster>();

    public IServiceProvider Services => _app!.Services;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders().AddFilter("Fenix", LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
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
        _app.MapFenixSocket<FixtureSocket>("/ws/admin");
        _app.MapFenixSocket<FixtureSocket>("/ws/limited", o => o.MaxChannels = 1);
        _app.MapFenixSocket<FixtureSocket>("/ws/idle", o => o.WebSocket.IdleTimeout = TimeSpan.FromMilliseconds(200));
        _app.MapFenixSocket<FixtureSocket>("/ws/idle-2s", o => o.WebSocket.IdleTimeout = TimeSpan.FromSeconds(2));
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
        await _app.StartAsync();
        BaseUri = new Uri(_app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
