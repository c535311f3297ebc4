using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>
/// At the process's open-file limit a bare Kestrel aborts; Fenix keeps its connection limits below it, so extra
/// connections are refused and the server lives on. The Chat sample runs here with `ulimit -n 1024`.
/// </summary>
public sealed class FileLimitTests
{
    [Fact]
    public async Task Connections_beyond_the_descriptor_limit_are_refused_and_the_server_keeps_serving()
    {
        await using var chat = await ServerProcess.StartUnderShellAsync("Chat", "ulimit -n 1024");

        var sockets = new List<RawWebSocket>();
        var refused = 0;
        try
        {
            for (var i = 0; i < 900; i++)
            {
                try
                {
                    var socket = await RawWebSocket.ConnectAsync(chat.BaseUri, $"/socket/websocket?user=u{i}&vsn=2.0.0");
                    if (socket.IsOpen)
                    {
                        sockets.Add(socket);
                    }
                    else
                    {
                        refused++;
                        await socket.DisposeAsync();
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                {
                    refused++;
                }
            }

            Assert.False(chat.HasExited, $"the server died at the descriptor limit:\n{chat.Output}");
            Assert.True(refused > 0, "the limit was never reached; the test proves nothing");
            Assert.True(sockets.Count >= 400, $"only {sockets.Count} connections were accepted");

            // Accepted connections still work...
            var client = sockets[^1];
            await client.SendTextAsync("[null,\"1\",\"phoenix\",\"heartbeat\",{}]");
            Assert.Equal(RawFrame.Text, (await client.ReceiveDataAsync())?.Opcode);

            // ...and once some leave, newcomers get in again.
            foreach (var socket in sockets.Take(50))
            {
                await socket.DisposeAsync();
            }

            // The server frees their descriptors as it notices them go: a newcomer gets in within a few attempts.
            var deadline = DateTime.UtcNow + Patience.Default;
            RawWebSocket late;
            while (!(late = await RawWebSocket.ConnectAsync(chat.BaseUri, "/socket/websocket?user=late&vsn=2.0.0")).IsOpen && DateTime.UtcNow < deadline)
            {
                await late.DisposeAsync();
                await Task.Delay(100); // waiting for a condition, not asserting an absence
            }

            await using (late)
            {
                Assert.Equal(101, late.Handshake.Status);
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }
}
