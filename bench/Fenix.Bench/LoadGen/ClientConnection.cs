using System.Diagnostics;
using System.Net.WebSockets;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// One client: a <see cref="ClientWebSocket"/>, its receive loop, and what it has received since the last reset.
/// The counters are written by the receive loop only and read by reports when the load is quiet.
/// </summary>
internal sealed class ClientConnection(int index, string topic, ClientWebSocket socket)
{
    private const int InitialBufferSize = 2048;
    private const int MaxMessageSize = 4 * 1024 * 1024;

    private byte[] _buffer = new byte[InitialBufferSize];

    public int Index { get; } = index;

    public string Topic { get; } = topic;

    public ClientWebSocket Socket { get; } = socket;

    /// <summary>Bench messages received since the last reset.</summary>
    public long Received;

    /// <summary>Earliest timestamp carried by a received message, and the latest receive time (Stopwatch ticks).</summary>
    public long FirstSentTs = long.MaxValue;

    public long LastReceivedTs;

    /// <summary>Presence: this client's member list (users are named u&lt;index&gt;), and presence frames received.</summary>
    public PresenceMembers Members { get; } = new();

    public int PresenceMembers => Members.Count;

    public long PresenceFrames;

    public bool IsOpen => Socket.State == WebSocketState.Open;

    public void Reset()
    {
        Received = 0;
        FirstSentTs = long.MaxValue;
        LastReceivedTs = 0;
        PresenceFrames = 0;
    }

    /// <summary>Receives one whole message into the connection's buffer (growing it for large ones); empty at close.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        var filled = 0;
        while (true)
        {
            if (filled == _buffer.Length)
            {
                if (_buffer.Length >= MaxMessageSize)
                {
                    throw new InvalidOperationException($"A message over {MaxMessageSize} bytes arrived.");
                }

                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await Socket.ReceiveAsync(_buffer.AsMemory(filled), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            filled += result.Count;
            if (result.EndOfMessage)
            {
                return _buffer.AsMemory(0, filled);
            }
        }
    }

    /// <summary>Receives until the connection closes, handing each message to <paramref name="recorder"/>.</summary>
    public async Task ReceiveLoopAsync(Recorder recorder, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var message = await ReceiveMessageAsync(cancellationToken);
                if (message.IsEmpty)
                {
                    return;
                }

                recorder.OnFrame(this, message.Span, Stopwatch.GetTimestamp());
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // Counted as dropped by the caller; the reason matters little for the figures.
        }
    }
}
