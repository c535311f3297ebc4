using System.Buffers;
using System.Net.WebSockets;

namespace Fenix.Bench.KestrelWsServer;

/// <summary>Accepts a WebSocket on <c>/ws?topic=…</c>, registers it under its topic and relays what it sends.</summary>
internal static class RelayEndpoint
{
    private const int ReceiveBufferSize = 4096;

    /// <summary>Largest message relayed; a larger one closes the connection (as Fenix's and SignalR's limits do).</summary>
    private const int MaxMessageSize = 1024 * 1024;

    public static async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var topic = context.Request.Query["topic"].ToString();
        var sockets = context.RequestServices.GetRequiredService<TopicSockets>();
        using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new RelaySocket(webSocket);
        sockets.Add(topic, socket);
        try
        {
            await ReceiveLoopAsync(socket, topic, sockets);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // The client went away; nothing to do but unregister.
        }
        finally
        {
            sockets.Remove(topic, socket);
        }
    }

    private static async Task ReceiveLoopAsync(RelaySocket socket, string topic, TopicSockets sockets)
    {
        // Only a message split over several receives needs this; most never do, and an idle connection holds nothing.
        ArrayBufferWriter<byte>? fragments = null;
        while (true)
        {
            // Wait for data without a buffer (zero-byte read), so an idle connection holds none; rent one when data came.
            await socket.Socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
            var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
            try
            {
                var result = await socket.Socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                if (result.EndOfMessage && fragments is null)
                {
                    // The bytes are shared by all the sends, so they get their own array.
                    await sockets.SendAsync(topic, buffer.AsSpan(0, result.Count).ToArray(), except: socket);
                    continue;
                }

                fragments ??= new ArrayBufferWriter<byte>(ReceiveBufferSize * 2);
                if (fragments.WrittenCount + result.Count > MaxMessageSize)
                {
                    await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, null, CancellationToken.None);
                    return;
                }

                fragments.Write(buffer.AsSpan(0, result.Count));
                if (result.EndOfMessage)
                {
                    await sockets.SendAsync(topic, fragments.WrittenSpan.ToArray(), except: socket);
                    fragments = null;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
