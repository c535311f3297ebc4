using Fenix.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace Fenix.IntegrationTests.Hosting;

/// <summary>
/// Settings from configuration or code, checked when the host starts (or the socket is mapped) with messages that name
/// the key and what to set; Fenix's changes to Kestrel's limits stay out of the way of the application's own.
/// </summary>
public sealed class OptionsTests
{
    [Fact]
    public async Task DrainBatchSize_zero_stops_the_host_at_start_saying_what_to_set()
    {
        var builder = NewBuilder();
        builder.Services.AddFenix(options => options.DrainBatchSize = 0);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => BuildAndStartAsync(builder));
        Assert.Contains("Fenix:DrainBatchSize is 0: it must be at least 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("the drain would never end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_settings_bind_from_the_Fenix_section_and_are_checked_too()
    {
        var builder = NewBuilder(("Fenix:DrainTimeout", "00:00:05"), ("Fenix:Node", "node-from-config"), ("Fenix:DrainInterval", "-00:00:01"));
        builder.Services.AddFenix();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => BuildAndStartAsync(builder));
        Assert.Contains("Fenix:DrainInterval is -00:00:01: it must not be negative", error.Message, StringComparison.Ordinal);

        var valid = NewBuilder(("Fenix:DrainTimeout", "00:00:05"), ("Fenix:Node", "node-from-config"));
        valid.Services.AddFenix();
        await using var ok = valid.Build();
        var settings = ok.Services.GetRequiredService<IOptions<FenixOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), settings.DrainTimeout);
        Assert.Equal("node-from-config", settings.NodeName);
    }

    [Fact]
    public async Task Socket_settings_bind_from_Fenix_Sockets_and_the_socket_class_name()
    {
        var builder = NewBuilder(
            ("Fenix:Sockets:FixtureSocket:MaxChannels", "1"),
            ("Fenix:Sockets:FixtureSocket:CheckOrigin", "//allowed.example"));
        builder.Services.AddSingleton<TerminationLog>();
        builder.Services.AddFenix();
        await using var app = builder.Build();
        app.MapFenixSocket<FixtureSocket>("/ws");
        await app.StartAsync();
        var server = new Uri(app.Urls.First());

        await using (var refused = await RawWebSocket.ConnectAsync(server, "/ws/websocket?vsn=2.0.0", new Dictionary<string, string> { ["Origin"] = "https://other.example" }))
        {
            Assert.Equal(403, refused.Handshake.Status);
        }

        await using var client = await PhoenixTestClient.ConnectAsync(server, "/ws", "2.0.0", headers: new Dictionary<string, string> { ["Origin"] = "https://allowed.example" });
        var (_, first) = await client.JoinAsync("room:1");
        await client.AssertReplyAsync(first);
        var (_, second) = await client.JoinAsync("room:2");
        var reply = await client.AssertReplyAsync(second, "error");
        Assert.Equal("too many channels joined", reply.Response?["reason"]?.GetValue<string>());
        await app.StopAsync();
    }

    [Fact]
    public void Socket_settings_out_of_range_fail_when_mapped_listing_every_problem()
    {
        var builder = NewBuilder(("Fenix:Sockets:FixtureSocket:MaxChannels", "0"));
        builder.Services.AddFenix();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapFenixSocket<FixtureSocket>("/ws", socket => socket.WebSocket.IdleTimeout = TimeSpan.Zero));
        Assert.Contains("Fenix:Sockets:FixtureSocket:MaxChannels is 0: it must be at least 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fenix:Sockets:FixtureSocket:WebSocket:IdleTimeout is 00:00:00: it must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fenix_lowers_Kestrels_request_headers_timeout_only_where_the_application_did_not_set_it()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), Kestrel(fenix => { }).Limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), Kestrel(fenix => fenix.RequestHeadersTimeout = null).Limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), Kestrel(fenix => { }, kestrel => kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5)).Limits.RequestHeadersTimeout);
    }

    [Fact]
    public void Fenix_bounds_Kestrels_connections_by_the_open_file_limit_unless_switched_off()
    {
        Assert.Null(Kestrel(fenix => fenix.LimitConnectionsToFileDescriptors = false).Limits.MaxConcurrentUpgradedConnections);
        Assert.Equal(1234, Kestrel(fenix => { }, kestrel => kestrel.Limits.MaxConcurrentUpgradedConnections = 1234).Limits.MaxConcurrentUpgradedConnections);
        if (OperatingSystem.IsLinux())
        {
            var limited = Kestrel(fenix => { }).Limits;
            Assert.NotNull(limited.MaxConcurrentUpgradedConnections);
            Assert.NotNull(limited.MaxConcurrentConnections);
        }
    }

    /// <summary>Kestrel reads Fenix's options while the application is built, so a bad setting may fail there or at start.</summary>
    private static async Task BuildAndStartAsync(WebApplicationBuilder builder)
    {
        await using var app = builder.Build();
        await app.StartAsync();
    }

    private static KestrelServerOptions Kestrel(Action<FenixOptions> fenix, Action<KestrelServerOptions>? application = null)
    {
        var builder = NewBuilder();
        if (application is not null)
        {
            builder.WebHost.ConfigureKestrel(application); // before AddFenix: Fenix must still not override it
        }

        builder.Services.AddFenix(fenix);
        using var app = builder.Build();
        return app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
    }

    private static WebApplicationBuilder NewBuilder(params (string Key, string Value)[] configuration)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        foreach (var (key, value) in configuration)
        {
            builder.Configuration[key] = value;
        }

        return builder;
    }
}
