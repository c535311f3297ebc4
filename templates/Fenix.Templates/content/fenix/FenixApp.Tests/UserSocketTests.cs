using Fenix;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FenixApp.Tests;

/// <summary>The socket's token authentication: the page's token is accepted, anything else refused.</summary>
public sealed class UserSocketTests : IAsyncLifetime
{
    private readonly ChannelTestHost _host = new(services => services.AddFenix().AddPresence());

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private FenixToken Tokens => _host.Services.GetRequiredService<FenixToken>();

    [Fact]
    public async Task A_token_from_the_page_identifies_the_user()
    {
        var token = Tokens.Sign(UserSocket.TokenSalt, "ann");

        var socket = await _host.ConnectAsync<UserSocket>(new Dictionary<string, string> { ["token"] = token });

        Assert.Equal("ann", socket.Assigns["user"]);
        Assert.Equal("user_socket:ann", socket.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a token")]
    public async Task A_missing_or_forged_token_is_refused(string token)
    {
        Assert.Null(await _host.TryConnectAsync<UserSocket>(new Dictionary<string, string> { ["token"] = token }));
    }

    [Fact]
    public async Task A_token_signed_for_something_else_is_refused()
    {
        var token = Tokens.Sign("password reset", "ann");

        Assert.Null(await _host.TryConnectAsync<UserSocket>(new Dictionary<string, string> { ["token"] = token }));
    }
}
