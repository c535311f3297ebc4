using Fenix.AspNetCore.Transports;
using Fenix.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>
/// Clients going away is normal (tabs close, phones lose signal, load tests end): the server lets them go without
/// warnings, even when it was writing to them at that moment. Its own server, so that no other test's connections count.
/// </summary>
public sealed class ConnectionLossTests(FixtureServer server) : IClassFixture<FixtureServer>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Many_clients_vanishing_while_the_server_writes_to_them_log_no_warnings(int round)
    {
        const int count = 60;
        var topic = $"room:exodus-{round}";
        var clients = new List<PhoenixTestClient>();
        for (var i = 0; i < count; i++)
        {
            var client = await PhoenixTestClient.ConnectAsync(server.BaseUri, "/ws", "2.0.0", http2: server.Http2);
            var (_, @ref) = await client.JoinAsync(topic);
            await client.AssertReplyAsync(@ref);
            clients.Add(client);
        }

        var mark = server.Logs.Entries.Count;
        using var stop = new CancellationTokenSource();
        var body = new string('x', 4 * 1024);
        var publisher = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                server.Broadcaster.Broadcast(topic, "tick", new { i, body });
                await Task.Delay(1, CancellationToken.None); // ~4 MB/s to each client: busy writers, far from the 8 MB bound
            }
        });

        // Every client is being written to...
        foreach (var client in clients)
        {
            await client.AssertEventAsync("tick");
        }

        // ...when they all vanish at once, without a close handshake.
        foreach (var client in clients)
        {
            client.Socket.Abort();
        }

        var registry = server.Services.GetRequiredService<ConnectionRegistry>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (registry.WebSocketCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken); // waiting for a condition, not asserting an absence
        }

        await stop.CancelAsync();
        await publisher;
        Assert.Equal(0, registry.WebSocketCount);
        var problems = server.ProblemsSince(mark);
        Assert.True(problems.Count == 0, $"{problems.Count} warnings, e.g.:\n" + string.Join("\n", problems.Take(3).Select(p => $"[{p.EventId.Id}] {p.Message} {p.Exception}")));
    }
}
