using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.IntegrationTests.Scopes;

/// <summary>
/// Scoped services on a real Kestrel: the connect callback runs in its HTTP request's scope (what middleware put in a
/// scoped service is what ConnectAsync sees), and each channel gets a scope of its own, over both transports.
/// </summary>
public sealed class ServiceScopeTests : IAsyncLifetime
{
    private WebApplication? _app;

    private Uri BaseUri => new(_app!.Urls.First());

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.UseDefaultServiceProvider(options => options.ValidateScopes = true);
        builder.Services.AddFenix();
        builder.Services.AddScoped<RequestStamp>();
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            context.RequestServices.GetRequiredService<RequestStamp>().Value = context.Request.Headers["x-stamp"].ToString();
            return next(context);
        });
        _app.MapFenixSocket<StampSocket>("/socket", options => options.LongPoll.Enabled = true);
        await _app.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Over_websocket_connect_sees_the_request_scope_and_each_channel_has_its_own()
    {
        await using var client = await PhoenixTestClient.ConnectAsync(BaseUri, "/socket", "2.0.0", headers: new Dictionary<string, string> { ["x-stamp"] = "ws-1" });
        var (_, first) = await client.JoinAsync("stamp:a");
        var (_, second) = await client.JoinAsync("stamp:b");
        var a = (await client.AssertReplyAsync(first)).Response!;
        var b = (await client.AssertReplyAsync(second)).Response!;

        Assert.Equal("ws-1", a["connect_stamp"]!.GetValue<string>());
        Assert.Equal("", a["channel_stamp"]!.GetValue<string>()); // a fresh scope, not the request's
        Assert.NotEqual(a["scope"]!.GetValue<int>(), b["scope"]!.GetValue<int>());
    }

    [Fact]
    public async Task Over_long_poll_connect_sees_the_request_scope_and_each_channel_has_its_own()
    {
        using var client = new LongPollTestClient(BaseUri, "/socket");
        client.DefaultHeaders.Add("x-stamp", "lp-1");
        Assert.Equal(410, (await client.OpenAsync()).Status);
        await client.PostAsync(
            new JsonArray("1", "1", "stamp:a", "phx_join", new JsonObject()).ToJsonString(),
            new JsonArray("2", "2", "stamp:b", "phx_join", new JsonObject()).ToJsonString());
        var replies = await client.PollMessagesAsync(atLeast: 2);

        Assert.All(replies, reply => Assert.Equal("lp-1", reply.Response!["connect_stamp"]!.GetValue<string>()));
        Assert.NotEqual(replies[0].Response!["scope"]!.GetValue<int>(), replies[1].Response!["scope"]!.GetValue<int>());
    }

    /// <summary>A scoped service that middleware fills in from the request.</summary>
    public sealed class RequestStamp
    {
        private static int s_next;

        public int Scope { get; } = Interlocked.Increment(ref s_next);

        public string Value { get; set; } = "";
    }

    public sealed class StampSocket : FenixSocket
    {
        public StampSocket() => Channel<StampChannel>("stamp:*");

        public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
            ConnectResult.Accept(("stamp", connectInfo.RequestServices!.GetRequiredService<RequestStamp>().Value));
    }

    public sealed class StampChannel(RequestStamp stamp) : Channel
    {
        public override ValueTask<JoinResult> JoinAsync(Payload payload) =>
            JoinResult.Ok(new { connect_stamp = Socket.Assigns["stamp"], channel_stamp = stamp.Value, scope = stamp.Scope });
    }
}
