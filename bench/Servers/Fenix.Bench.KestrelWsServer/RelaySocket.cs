using System.Net.WebSockets;

namespace Fenix.Bench.KestrelWsServer;

/// <summary>One accepted WebSocket; a WebSocket allows one send at a time, so sends from any thread take turns.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Reliability",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "A SemaphoreSlim holds nothing to release unless its AvailableWaitHandle is used; a broadcast may still touch a socket that just closed.")]
internal sealed class RelaySocket(WebSocket socket)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public WebSocket Socket { get; } = socket;

    /// <summary>Sends one text message; a failed send is dropped (the receive loop sees the close and unregisters).</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> message)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                await Socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is going away; its receive loop removes it.
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
