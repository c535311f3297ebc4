using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>A server that stops asks its clients to reconnect elsewhere (close 1012), like Phoenix's drain.</summary>
public sealed class ShutdownTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // WebSockets on the direct listener (UseFenixWebSockets)
    public async Task Stopping_the_server_drains_connections_with_1012(bool direct)
    {
        await using var chat = await ServerProcess.StartAsync("Chat", null, ["--Chat:DirectWebSockets", direct ? "true" : "false"]);
        await using var client = await PhoenixTestClient.ConnectAsync(chat.BaseUri, "/socket", "2.0.0", "user=drained");
        var (_, @ref) = await client.JoinAsync("rooms:lobby");
        await client.AssertReplyAsync(@ref);

        var stopping = chat.TerminateAsync();
        var close = await client.WaitForCloseAsync(Patience.Default);
        Assert.Equal(1012, close?.CloseCode);
        await stopping;
        Assert.True(chat.HasExited);
    }
}
