using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// Opens connections as cheaply as a client can, so that a connect burst measures the server and not the load
/// generator (a <see cref="System.Net.WebSockets.ClientWebSocket"/> spends more CPU per connect than the servers under
/// test): a raw socket, the upgrade request written in one send from pre-encoded parts, the answer checked for
/// <c>101</c> only, and the join sent as one pre-encoded frame masked with a zero key (valid: RFC 6455 lets any key
/// be chosen; the payload is then unchanged), whose reply is scanned with the wire's own check. Only wires without a
/// protocol handshake (not SignalR) are supported.
/// </summary>
internal sealed class LeanConnector
{
    private static readonly TimeSpan DefaultJoinTimeout = TimeSpan.FromSeconds(30);

    /// <summary>An upgrade answer and a join reply fit here; a longer message grows the buffer of its connect.</summary>
    private const int ReceiveBufferSize = 2048;

    private const int MaxMessageSize = 4 * 1024 * 1024;

    private static ReadOnlySpan<byte> Switching => "HTTP/1.1 101 "u8;

    private readonly WireProtocol _wire;
    private readonly IPAddress? _source;
    private readonly bool _join;
    private readonly TimeSpan _joinTimeout;
    private readonly IPEndPoint _server;

    /// <summary>The request's bytes after its target: the HTTP version and every header (the same for all connections).</summary>
    private readonly byte[] _requestTail;

    /// <summary>Masked join frames by topic (a run has one topic, or one per room).</summary>
    private readonly ConcurrentDictionary<string, byte[]> _joinFrames = new(StringComparer.Ordinal);

    public LeanConnector(WireProtocol wire, string baseUrl, IPAddress? source, bool join = true, TimeSpan joinTimeout = default)
    {
        _wire = wire;
        _source = source;
        _join = join;
        _joinTimeout = joinTimeout > TimeSpan.Zero ? joinTimeout : DefaultJoinTimeout;
        var uri = new Uri(baseUrl);
        _server = new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
        _requestTail = Encoding.ASCII.GetBytes(
            $" HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {Convert.ToBase64String(Guid.NewGuid().ToByteArray())}\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Heartbeat = wire.Heartbeat(0) is { } heartbeat ? MaskedTextFrame(heartbeat) : null;
    }

    /// <summary>The wire's heartbeat as a masked frame (the same bytes every time), or null when it has none.</summary>
    public byte[]? Heartbeat { get; }

    /// <summary>Whether <paramref name="wire"/> can be spoken this way (no protocol handshake after the upgrade).</summary>
    public static bool Supports(WireProtocol wire) => wire.Handshake is null;

    /// <summary>Connects (and joins); returns the open connection and connect(+join) time in µs.</summary>
    public async Task<(LeanConnection Connection, long Micros)> ConnectAsync(string topic, int index, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_joinTimeout);
            SourceBinding.Bind(socket, _source);

            await socket.ConnectAsync(_server, timeout.Token);
            var request = Request(topic, index, buffer);
            await socket.SendAsync(buffer.AsMemory(0, request), SocketFlags.None, timeout.Token);
            var (filled, headLength) = await ReadHeadAsync(socket, buffer, timeout.Token);
            if (_join && _wire.JoinFrame(topic) is not null)
            {
                await socket.SendAsync(_joinFrames.GetOrAdd(topic, t => MaskedTextFrame(_wire.JoinFrame(t)!)), SocketFlags.None, timeout.Token);
                await AwaitAckAsync(socket, buffer, filled - headLength, headLength, timeout.Token);
            }

            return (new LeanConnection(index, socket), (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes <c>GET {target}{tail}</c> into <paramref name="buffer"/>; returns its length.</summary>
    private int Request(string topic, int index, byte[] buffer)
    {
        var target = _wire.ConnectUri("http://h", topic, index).PathAndQuery;
        var length = Encoding.ASCII.GetBytes("GET ", buffer);
        length += Encoding.ASCII.GetBytes(target, buffer.AsSpan(length));
        _requestTail.CopyTo(buffer.AsSpan(length));
        return length + _requestTail.Length;
    }

    /// <summary>Reads until the answer's head ends; fails unless it is a 101. Returns the bytes read and the head's length.</summary>
    private static async Task<(int Filled, int HeadLength)> ReadHeadAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("The server closed the connection during the upgrade.");
            }

            filled += read;
            var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                if (!buffer.AsSpan().StartsWith(Switching))
                {
                    var line = buffer.AsSpan(0, filled).IndexOf("\r\n"u8);
                    throw new IOException($"Upgrade refused: {Encoding.ASCII.GetString(buffer, 0, line)}");
                }

                return (filled, end + 4);
            }

            if (filled == buffer.Length)
            {
                throw new IOException("The upgrade answer's head is too long.");
            }
        }
    }

    /// <summary>Reads server frames (unmasked) until the wire's acknowledgement of the join; <paramref name="pending"/> bytes at <paramref name="offset"/> arrived already.</summary>
    private async Task AwaitAckAsync(Socket socket, byte[] buffer, int pending, int offset, CancellationToken cancellationToken)
    {
        var message = buffer;
        Buffer.BlockCopy(buffer, offset, buffer, 0, pending);
        var filled = pending;
        try
        {
            while (true)
            {
                while (TryFrame(message.AsSpan(0, filled), out var opcode, out var payloadStart, out var payloadLength))
                {
                    if (opcode == 0x8)
                    {
                        throw new IOException("The server closed the connection during the join.");
                    }

                    if (_wire.IsAck(message.AsSpan(payloadStart, payloadLength), out var error))
                    {
                        if (error is not null)
                        {
                            throw new InvalidOperationException($"Join refused: {error}");
                        }

                        return;
                    }

                    var used = payloadStart + payloadLength;
                    Buffer.BlockCopy(message, used, message, 0, filled - used);
                    filled -= used;
                }

                if (filled == message.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(message.Length * 2);
                    message.AsSpan(0, filled).CopyTo(larger);
                    if (message != buffer)
                    {
                        ArrayPool<byte>.Shared.Return(message);
                    }

                    message = larger;
                }

                var read = await socket.ReceiveAsync(message.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    throw new IOException("The server closed the connection during the join.");
                }

                filled += read;
            }
        }
        finally
        {
            if (message != buffer)
            {
                ArrayPool<byte>.Shared.Return(message);
            }
        }
    }

    /// <summary>Whether <paramref name="data"/> starts with a whole server frame (a message in one frame, as the servers send).</summary>
    private static bool TryFrame(ReadOnlySpan<byte> data, out int opcode, out int payloadStart, out int payloadLength)
    {
        opcode = payloadStart = payloadLength = 0;
        if (data.Length < 2)
        {
            return false;
        }

        opcode = data[0] & 0x0F;
        long length = data[1] & 0x7F;
        payloadStart = 2;
        if (length == 126)
        {
            if (data.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            payloadStart = 4;
        }
        else if (length == 127)
        {
            if (data.Length < 10)
            {
                return false;
            }

            length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            payloadStart = 10;
        }

        if (length > MaxMessageSize)
        {
            throw new InvalidOperationException($"A message over {MaxMessageSize} bytes arrived.");
        }

        if (data.Length - payloadStart < length)
        {
            return false;
        }

        payloadLength = (int)length;
        return true;
    }

    /// <summary>A final text frame carrying <paramref name="payload"/>, masked with the zero key.</summary>
    private static byte[] MaskedTextFrame(byte[] payload)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + 4 + payload.Length];
        frame[0] = 0x81;
        if (header == 2)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (header == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        // Bytes header..header+3 are the masking key: zero, so the payload goes as it is.
        payload.CopyTo(frame, header + 4);
        return frame;
    }
}
