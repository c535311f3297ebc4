using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>One frame received from the server.</summary>
public sealed record RawFrame(int Opcode, byte[] Payload)
{
    public const int Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    public string Text_ => Encoding.UTF8.GetString(Payload);

    public int CloseCode => Opcode == Close && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 0;

    public string CloseReason => Opcode == Close && Payload.Length > 2 ? Encoding.UTF8.GetString(Payload.AsSpan(2)) : "";
}

/// <summary>The HTTP answer to an upgrade request.</summary>
public sealed record HandshakeResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A WebSocket client written for tests: it speaks RFC 6455 over a raw TCP socket so that tests control every byte —
/// including frames a real client would never send (unmasked, reserved opcodes, garbage).
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private int _readStart;
    private int _readEnd;

    private RawWebSocket(TcpClient tcp, HandshakeResponse handshake)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Handshake = handshake;
    }

    public HandshakeResponse Handshake { get; private set; }

    public bool IsOpen => Handshake.Status == 101;

    /// <summary>Sends an upgrade request for <paramref name="pathAndQuery"/>; the result may be a refusal (check <see cref="IsOpen"/>).</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri server, string pathAndQuery, IDictionary<string, string>? headers = null, bool upgradeHeaders = true)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var socket = new RawWebSocket(tcp, new HandshakeResponse(0, new Dictionary<string, string>(), ""));
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = new StringBuilder()
            .Append("GET ").Append(pathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(server.Host).Append(':').Append(server.Port).Append("\r\n");
        if (upgradeHeaders)
        {
            request.Append("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n")
                .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        request.Append("\r\n");
        await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        socket.Handshake = await socket.ReadHandshakeAsync();
        return socket;
    }

    public Task SendTextAsync(string text) => SendFrameAsync(RawFrame.Text, Encoding.UTF8.GetBytes(text));

    public Task SendBinaryAsync(byte[] bytes) => SendFrameAsync(RawFrame.Binary, bytes);

    /// <summary>Sends one frame; every knob a test may want to break is a parameter.</summary>
    public async Task SendFrameAsync(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        var maskBit = mask ? 0x80 : 0;
        if (payload.Length <= 125)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.AddRange(length);
        }

        var key = mask ? RandomNumberGenerator.GetBytes(4) : [];
        frame.AddRange(key);
        for (var i = 0; i < payload.Length; i++)
        {
            frame.Add(mask ? (byte)(payload[i] ^ key[i % 4]) : payload[i]);
        }

        await SendRawAsync([.. frame]);
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendCloseAsync(int code = 1000) => SendFrameAsync(RawFrame.Close, [(byte)(code >> 8), (byte)code]);

    /// <summary>The next frame, or null if the connection ended (or nothing came) within <paramref name="timeout"/>.</summary>
    public async Task<RawFrame?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            var header = await ReadExactAsync(2, cts.Token);
            if (header is null)
            {
                return null;
            }

            var opcode = header[0] & 0x0F;
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactAsync(2, cts.Token) ?? throw new EndOfStreamException());
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactAsync(8, cts.Token) ?? throw new EndOfStreamException());
            }

            if ((header[1] & 0x80) != 0)
            {
                throw new InvalidOperationException("The server masked a frame (RFC 6455 forbids it).");
            }

            var payload = length == 0 ? [] : await ReadExactAsync((int)length, cts.Token) ?? throw new EndOfStreamException();
            return new RawFrame(opcode, payload);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Receives until a data frame arrives (answering nothing, skipping pongs); null on close or timeout.</summary>
    public async Task<RawFrame?> ReceiveDataAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var frame = await ReceiveAsync(timeout);
            if (frame is null || frame.Opcode is RawFrame.Text or RawFrame.Binary or RawFrame.Close)
            {
                return frame;
            }
        }
    }

    /// <summary>True if the server closed the TCP connection (read returns end of stream) within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForEndOfStreamAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var frame = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (frame is null)
            {
                return DateTime.UtcNow < deadline || !_tcp.Connected || await IsAtEndAsync();
            }
        }

        return false;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> IsAtEndAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        try
        {
            return await _stream.ReadAsync(new byte[1], cts.Token) == 0;
        }
        catch (Exception)
        {
            return true;
        }
    }

    private async Task<HandshakeResponse> ReadHandshakeAsync()
    {
        var text = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await _stream.ReadAsync(_readBuffer.AsMemory(_readEnd), cts.Token);
            if (read == 0)
            {
                break;
            }

            var chunk = Encoding.ASCII.GetString(_readBuffer, _readEnd, read);
            _readEnd += read;
            text.Append(chunk);
        }

        var all = text.ToString();
        var headerEnd = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = headerEnd >= 0 ? all[..headerEnd] : all;
        var lines = head.Split("\r\n");
        var status = lines.Length > 0 && lines[0].Split(' ') is { Length: >= 2 } parts && int.TryParse(parts[1], out var code) ? code : 0;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        // Whatever followed the headers is the start of the frame stream (101) or the body (other statuses).
        _readStart = headerEnd >= 0 ? Encoding.ASCII.GetByteCount(all[..(headerEnd + 4)]) : _readEnd;
        var body = status == 101 ? "" : Encoding.UTF8.GetString(_readBuffer, _readStart, _readEnd - _readStart);
        if (status != 101 && headers.TryGetValue("Content-Length", out var lengthText) && int.TryParse(lengthText, out var contentLength))
        {
            while (Encoding.UTF8.GetByteCount(body) < contentLength)
            {
                var read = await _stream.ReadAsync(_readBuffer.AsMemory(_readEnd), cts.Token);
                if (read == 0)
                {
                    break;
                }

                _readEnd += read;
                body = Encoding.UTF8.GetString(_readBuffer, _readStart, _readEnd - _readStart);
            }
        }

        return new HandshakeResponse(status, headers, body);
    }

    private async Task<byte[]?> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_readStart < _readEnd)
            {
                var take = Math.Min(count - filled, _readEnd - _readStart);
                Array.Copy(_readBuffer, _readStart, result, filled, take);
                _readStart += take;
                filled += take;
                continue;
            }

            _readStart = _readEnd = 0;
            var read = await _stream.ReadAsync(_readBuffer, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            _readEnd = read;
        }

        return result;
    }
}
