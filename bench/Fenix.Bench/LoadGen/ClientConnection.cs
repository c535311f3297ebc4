using System.Buffers;
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

    /// <summary>Bounds the exactly-once bookkeeping: one byte per tracked sequence number per connection.</summary>
    private const int MaxTrackedSequences = 4096;

    /// <summary>This connection's own buffer: enough for every frame but the big ones (presence_state, large bursts).</summary>
    private readonly byte[] _buffer = new byte[InitialBufferSize];

    /// <summary>
    /// A bigger buffer rented from the shared pool while a big message is received and read, null otherwise: a storm of
    /// N presence clients would otherwise keep N buffers of the largest presence_state each (GBs at 5,000).
    /// </summary>
    private byte[]? _rented;

    /// <summary>Per broadcast sequence number since the last reset, how many times it arrived here (saturates at 255).</summary>
    private byte[] _seqSeen = [];

    /// <summary>Bench messages whose sequence number lies outside the tracked range since the last reset.</summary>
    private long _seqOutOfRange;

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

    public void Reset(int sequences = 0)
    {
        _seqSeen = sequences > 0 ? new byte[Math.Min(sequences, MaxTrackedSequences)] : [];
        _seqOutOfRange = 0;
        Received = 0;
        FirstSentTs = long.MaxValue;
        LastReceivedTs = 0;
        PresenceFrames = 0;
    }

    /// <summary>Counts one arrival of broadcast <paramref name="seq"/> (-1: not a numbered broadcast). Receive loop only.</summary>
    public void CountSequence(int seq)
    {
        if (seq < 0)
        {
            return;
        }

        var seen = _seqSeen;
        if ((uint)seq < (uint)seen.Length)
        {
            if (seen[seq] < byte.MaxValue)
            {
                seen[seq]++;
            }
        }
        else if (seen.Length > 0)
        {
            _seqOutOfRange++;
        }
    }

    /// <summary>
    /// Adds this connection's delivery audit to <paramref name="audit"/>: whether every tracked broadcast arrived exactly
    /// once, how many never arrived, and how many extra copies (duplicates, or numbers never sent) arrived.
    /// </summary>
    public void AuditInto(ref DeliveryAudit audit)
    {
        var seen = _seqSeen;
        var missing = 0;
        long extra = _seqOutOfRange;
        foreach (var count in seen)
        {
            if (count == 0)
            {
                missing++;
            }
            else
            {
                extra += count - 1;
            }
        }

        audit = new DeliveryAudit(
            audit.ExactlyOnce + (missing == 0 && extra == 0 ? 1 : 0),
            audit.Missing + missing,
            audit.Extra + extra);
    }

    /// <summary>
    /// Receives one whole message (empty at close). It stays valid until <see cref="ReleaseMessage"/> or the next receive;
    /// a message bigger than the connection's own buffer is received into one rented from the shared pool.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        ReleaseMessage();
        var buffer = _buffer;
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxMessageSize)
                {
                    throw new InvalidOperationException($"A message over {MaxMessageSize} bytes arrived.");
                }

                var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, filled).CopyTo(bigger);
                ReleaseMessage();
                _rented = buffer = bigger;
            }

            var result = await Socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            filled += result.Count;
            if (result.EndOfMessage)
            {
                return buffer.AsMemory(0, filled);
            }
        }
    }

    /// <summary>Gives back the pool's buffer of the last message, if it needed one (the message is then gone).</summary>
    public void ReleaseMessage()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            ArrayPool<byte>.Shared.Return(rented);
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
                ReleaseMessage();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // Counted as dropped by the caller; the reason matters little for the figures.
        }
    }
}
