using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
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

/// <summary>The HTTP answer to an upgrade request (101) or an extended CONNECT (200 over HTTP/2).</summary>
public sealed record HandshakeResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A WebSocket client written for tests: it speaks RFC 6455 over a raw stream so that tests control every byte —
/// including frames a real client would never send (unmasked, reserved opcodes, garbage). The stream is either a TCP
/// connection upgraded with HTTP/1.1 or an HTTP/2 stream opened with an extended CONNECT (RFC 8441), so the same frames
/// can be sent both ways.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private readonly IDisposable? _owner;
    private readonly Stream _stream;
    private int _readStart;
    private int _readEnd;

    private RawWebSocket(Stream stream, IDisposable? owner, HandshakeResponse handshake)
    {
        _stream = stream;
        _owner = owner;
        Handshake = handshake;
    }

    public HandshakeResponse Handshake { get; private set; }

    /// <summary>Whether the server accepted the WebSocket (101 over HTTP/1.1, 200 over HTTP/2).</summary>
    public bool IsOpen { get; private set; }

    /// <summary>"HTTP/1.1" or "HTTP/2": how the WebSocket was opened.</summary>
    public string HttpProtocol { get; private set; } = "HTTP/1.1";

    /// <summary>
    /// Opens a WebSocket for <paramref name="pathAndQuery"/>; the result may be a refusal (check <see cref="IsOpen"/>).
    /// An https <paramref name="server"/> is reached over TLS (only <see cref="TestCertificate"/> is accepted); <paramref name="http2"/> opens
    /// the WebSocket as an HTTP/2 extended CONNECT instead of an HTTP/1.1 upgrade.
    /// </summary>
    public static Task<RawWebSocket> ConnectAsync(
        Uri server,
        string pathAndQuery,
        IDictionary<string, string>? headers = null,
        bool upgradeHeaders = true,
        bool http2 = false,
        int? receiveBufferSize = null) =>
        http2
            ? ConnectHttp2Async(server, pathAndQuery, headers, upgradeHeaders)
            : ConnectHttp11Async(server, pathAndQuery, headers, upgradeHeaders, receiveBufferSize);

    private static async Task<RawWebSocket> ConnectHttp11Async(Uri server, string pathAndQuery, IDictionary<string, string>? headers, bool upgradeHeaders, int? receiveBufferSize)
    {
        var tcp = new TcpClient();
        if (receiveBufferSize is { } size)
        {
            tcp.ReceiveBufferSize = size; // set before connecting, so the window a never-reading client offers stays small
        }

        await tcp.ConnectAsync(server.Host, server.Port);
        Stream stream = tcp.GetStream();
        if (server.Scheme == Uri.UriSchemeHttps)
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = server.Host,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => TestCertificate.IsOurs(certificate),
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            });
            stream = tls;
        }

        var socket = new RawWebSocket(stream, tcp, new HandshakeResponse(0, new Dictionary<string, string>(), ""));
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
        socket.IsOpen = socket.Handshake.Status == 101;
        return socket;
    }

    private static async Task<RawWebSocket> ConnectHttp2Async(Uri server, string pathAndQuery, IDictionary<string, string>? headers, bool connectHeaders)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => TestCertificate.IsOurs(certificate) },
        };
        var invoker = new HttpMessageInvoker(handler);
        var request = new HttpRequestMessage(HttpMethod.Connect, new Uri(server, pathAndQuery))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (connectHeaders)
        {
            request.Headers.Protocol = "websocket";
            request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = new CancellationTokenSource(Patience.Default);
        var response = await invoker.SendAsync(request, timeout.Token);
        var responseHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            responseHeaders[name] = string.Join(", ", values);
        }

        var status = (int)response.StatusCode;
        var accepted = status == 200 && connectHeaders;
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var body = accepted ? "" : await new StreamReader(stream).ReadToEndAsync(timeout.Token);
        return new RawWebSocket(stream, new Owners(response, invoker), new HandshakeResponse(status, responseHeaders, body))
        {
            IsOpen = accepted,
            HttpProtocol = "HTTP/2",
        };
    }

    public Task SendTextAsync(string text) => SendFrameAsync(RawFrame.Text, Encoding.UTF8.GetBytes(text));

    public Task SendBinaryAsync(byte[] bytes) => SendFrameAsync(RawFrame.Binary, bytes);

    /// <summary>Sends one frame; every knob a test may want to break is a parameter.</summary>
    public Task SendFrameAsync(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0) =>
        SendRawAsync(Encode(opcode, payload, fin: fin, mask: mask, rsv: rsv));

    /// <summary>The bytes of a client frame (masked unless told otherwise), <paramref name="repeat"/> times in a row.</summary>
    public static byte[] Encode(int opcode, byte[] payload, int repeat = 1, bool fin = true, bool mask = true, int rsv = 0)
    {
        var frame = new List<byte>();
        for (var copy = 0; copy < repeat; copy++)
        {
            frame.Add((byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode));
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
        }

        return [.. frame];
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendCloseAsync(int code = 1000) => SendFrameAsync(RawFrame.Close, [(byte)(code >> 8), (byte)code]);

    /// <summary>The next frame, or null if the connection ended (or nothing came) within <paramref name="timeout"/>.</summary>
    public async Task<RawFrame?> ReceiveAsync(TimeSpan? timeout = null) => (await ReceiveOrEndAsync(timeout ?? Patience.Default)).Frame;

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

    /// <summary>
    /// True if the server ended the connection (end of stream, or a reset) within <paramref name="timeout"/>; frames
    /// that arrive first are skipped. False when the connection is still open at the deadline.
    /// </summary>
    public async Task<bool> WaitForEndOfStreamAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            var (frame, ended) = await ReceiveOrEndAsync(left);
            if (ended)
            {
                return true;
            }

            if (frame is null)
            {
                return false; // the deadline passed with the connection still open
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _owner?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Drops the connection abruptly: a TCP reset (HTTP/1.1), or a reset of the stream (HTTP/2), as a crashed client.</summary>
    public void Abort()
    {
        if (_owner is TcpClient tcp)
        {
            tcp.Client.LingerState = new LingerOption(true, 0);
        }

        _owner?.Dispose();
        _stream.Dispose();
    }

    /// <summary>The next frame; or (null, true) when the connection ended; or (null, false) when nothing came in time.</summary>
    private async Task<(RawFrame? Frame, bool Ended)> ReceiveOrEndAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var header = await ReadExactAsync(2, cts.Token);
            if (header is null)
            {
                return (null, true);
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
            return (new RawFrame(opcode, payload), false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return (null, false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException)
        {
            return (null, true); // reset, or the HTTP/2 stream was aborted: the connection is gone
        }
    }

    private async Task<HandshakeResponse> ReadHandshakeAsync()
    {
        var text = new StringBuilder();
        using var cts = new CancellationTokenSource(Patience.Default);
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

/// <summary>Disposes an HTTP/2 WebSocket's response and the invoker that sent it.</summary>
file sealed class Owners(IDisposable response, IDisposable invoker) : IDisposable
{
    public void Dispose()
    {
        response.Dispose();
        invoker.Dispose();
    }
}
