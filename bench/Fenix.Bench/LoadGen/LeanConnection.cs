using System.Net.Sockets;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// A connection opened by <see cref="LeanConnector"/>: the socket, drained of whatever the server sends (heartbeat
/// replies) with zero-byte reads, so an idle connection costs the load generator no receive buffer.
/// </summary>
internal sealed class LeanConnection(int index, Socket socket)
{
    /// <summary>Where drained bytes go; they are never read, so threads may share it.</summary>
    private static readonly byte[] Discard = new byte[4096];

    /// <summary>False once the server closed the connection or it failed (written by the drain loop only).</summary>
    private volatile bool _open = true;

    public int Index { get; } = index;

    public bool IsOpen => _open;

    /// <summary>Sends a frame that is already encoded and masked (the same bytes may go to every connection).</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame)
    {
        if (!_open)
        {
            return;
        }

        try
        {
            await socket.SendAsync(frame, SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The drain loop sees the close; the connection counts as dropped.
        }
    }

    /// <summary>Reads and drops what arrives until the connection ends.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                if (socket.Available == 0)
                {
                    return; // readable with nothing to read: the server closed
                }

                while (socket.Available > 0)
                {
                    socket.Receive(Discard, SocketFlags.None);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed or aborted.
        }
        finally
        {
            _open = false;
        }
    }

    public void Abort() => socket.Dispose();
}
