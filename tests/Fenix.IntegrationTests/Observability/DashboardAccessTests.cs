using System.Net;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.IntegrationTests.Observability;

/// <summary>Who may open the dashboard: a policy decides; without one, Development from this machine only, else nobody.</summary>
public sealed class DashboardAccessTests
{
    [Fact]
    public async Task Without_a_policy_the_dashboard_is_refused_outside_Development_and_says_how_to_protect_it()
    {
        await using var app = await StartAsync(Environments.Production, map: app => app.MapFenixDashboard("/ops"));
        using var http = new HttpClient { BaseAddress = app.BaseUri };

        using var page = await http.GetAsync("/ops/");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("RequireAuthorization", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var script = await http.GetAsync("/ops/dashboard.js");
        Assert.Equal(HttpStatusCode.Forbidden, script.StatusCode);
        await using var socket = await RawWebSocket.ConnectAsync(app.BaseUri, "/ops/socket/websocket?vsn=2.0.0");
        Assert.Equal(403, socket.Handshake.Status);
    }

    [Fact]
    public async Task Without_a_policy_Development_serves_the_dashboard_to_this_machine()
    {
        await using var app = await StartAsync(Environments.Development, map: app => app.MapFenixDashboard());
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseUri };

        using var redirect = await http.GetAsync("/fenix");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/fenix/", redirect.Headers.Location?.OriginalString);
        using var page = await http.GetAsync("/fenix/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Fenix dashboard", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        await using var client = await PhoenixTestClient.ConnectAsync(app.BaseUri, "/fenix/socket", "2.0.0");
        var (_, join) = await client.JoinAsync("fenix_dashboard");
        var reply = await client.AssertReplyAsync(join);
        Assert.Equal(app.NodeName, reply.Response?["node"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_policy_the_user_does_not_satisfy_keeps_the_page_and_its_socket_closed()
    {
        await using var app = await StartAsync(Environments.Production, map: app => app.MapFenixDashboard().RequireAuthorization("ops"));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseUri };

        using var page = await http.GetAsync("/fenix/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode); // the cookie scheme's challenge: to the login page
        Assert.Contains("/Account/Login", page.Headers.Location?.ToString(), StringComparison.Ordinal);
        await using var socket = await RawWebSocket.ConnectAsync(app.BaseUri, "/fenix/socket/websocket?vsn=2.0.0");
        Assert.NotEqual(101, socket.Handshake.Status);
    }

    [Fact]
    public async Task A_policy_built_inline_counts_as_protection()
    {
        await using var app = await StartAsync(Environments.Production, map: app => app.MapFenixDashboard().RequireAuthorization(policy => policy.RequireAssertion(_ => true)));
        using var http = new HttpClient { BaseAddress = app.BaseUri };

        using var page = await http.GetAsync("/fenix/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public void Mapping_without_AddDashboard_says_what_to_call()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddFenix();
        using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapFenixDashboard());
        Assert.Contains("AddFenix().AddDashboard()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_settings_out_of_range_stop_the_host_with_what_to_set()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddFenix().AddDashboard(options => options.MaxTopics = 0);
        await using var app = builder.Build();
        var error = await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Fenix:Dashboard:MaxTopics is 0", error.Message, StringComparison.Ordinal);
    }

    private static async Task<RunningApp> StartAsync(string environment, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var node = $"access-{Guid.NewGuid():N}"[..15];
        builder.Services.AddFenix(options => options.NodeName = node).AddDashboard();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddAuthorization(options => options.AddPolicy("ops", policy => policy.RequireRole("ops")));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new RunningApp(app, new Uri(app.Urls.First()), node);
    }

    private sealed record RunningApp(WebApplication App, Uri BaseUri, string NodeName) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
