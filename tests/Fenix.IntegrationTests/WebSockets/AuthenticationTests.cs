using System.Net;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>Cookie authentication middleware in front of a socket: the channel sees the ClaimsPrincipal; policies guard joins.</summary>
public sealed class AuthenticationTests(FixtureServer server) : AuthenticationTestsBase(server), IClassFixture<FixtureServer>;

/// <summary>The same on the direct listener, which authenticates the handshake with the default scheme as UseAuthentication does.</summary>
public sealed class DirectAuthenticationTests(DirectFixtureServer server) : AuthenticationTestsBase(server), IClassFixture<DirectFixtureServer>;

/// <summary>Cookie authentication in front of a socket: the channel sees the ClaimsPrincipal; policies guard joins.</summary>
public abstract class AuthenticationTestsBase(FixtureServer server)
{
    [Fact]
    public async Task Anonymous_connections_are_refused_by_the_socket()
    {
        await using var socket = await RawWebSocket.ConnectAsync(server.BaseUri, "/ws/auth/websocket?vsn=2.0.0");
        Assert.Equal(401, socket.Handshake.Status);
    }

    [Fact]
    public async Task The_cookie_user_reaches_connect_and_channels_and_policies_apply()
    {
        var ann = await CookieForAsync("ann");
        await using var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws/auth", "2.0.0", headers: new Dictionary<string, string> { ["Cookie"] = ann });
        var (_, profile) = await client.JoinAsync("profile:me");
        var reply = await client.AssertReplyAsync(profile);
        Assert.Equal("ann", reply.Response!["name"]!.GetValue<string>());
        Assert.Equal("ann", reply.Response["assigned"]!.GetValue<string>());

        var (_, admin) = await client.JoinAsync("admin:panel");
        Assert.Equal("unauthorized", (await client.AssertReplyAsync(admin, "error")).Response!["reason"]!.GetValue<string>());

        var root = await CookieForAsync("root");
        await using var rootClient = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws/auth", "2.0.0", headers: new Dictionary<string, string> { ["Cookie"] = root });
        var (_, rootAdmin) = await rootClient.JoinAsync("admin:panel");
        Assert.Equal("[\"admin\"]", (await rootClient.AssertReplyAsync(rootAdmin)).Response!["roles"]!.ToJsonString());
    }

    private async Task<string> CookieForAsync(string name)
    {
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseUri };
        (await http.GetAsync($"/login?name={name}")).EnsureSuccessStatusCode();
        return cookies.GetCookieHeader(server.BaseUri);
    }
}
