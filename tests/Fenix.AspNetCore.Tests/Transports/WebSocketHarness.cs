using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Text;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.AspNetCore.Transports.WebSockets;
using Fenix.Protocol.Serializers;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Tests.Transports;

/// <summary>A frame the server sent.</summary>
internal sealed record ServerFrame(WebSocketOpcode Opcode, byte[] Payload)
{
    public int CloseCode => Opcode == WebSocketOpcode.Close && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 0;

    public string Text => Encoding.UTF8.GetString(Payload);
}

/// <summary>
/// One real <see cref="WebSocketConnection"/> and its session over an in-memory stream, on a fake clock: the test plays
/// the client byte by byte, decides when (and whether) the client reads, and sees the logs and metrics of its own server.
/// </summary>
internal sealed class WebSocketHarness : IAsyncDisposable
{
    private readonly Pipe _fromClient = new();
    private readonly Pipe _toClient;
    private readonly ServiceProvider _services;
    private readonly MeterListener _meters = new();
    private long _slowConsumers;

    private WebSocketHarness(SocketMountOptions options, TimeProvider time, long clientWindow)
    {
        Time = time;
        _toClient = new Pipe(new PipeOptions(pauseWriterThreshold: clientWindow, resumeWriterThreshold: clientWindow / 2, useSynchronizationContext: false));
        Stream = new DuplexTestStream(_fromClient.Reader, _toClient.Writer);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        services.AddSingleton(time);
        services.AddFenix();
        _services = services.BuildServiceProvider();
        Runtime = _services.GetRequiredService<FenixRuntime>();

        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Name == "fenix.connections.slow_consumer")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _slowConsumers, value));
        _meters.Start();

        Connection = new WebSocketConnection(Stream, Runtime, options);
        var mount = new SocketMount("/socket", new EmptySocket(), options);
        Session = new SocketSession(Runtime, mount, V2JsonSerializer.Instance, new Assigns(), "harness", TestConnectInfo.Create(), Connection);
        Connection.Attach(Session);
        Run = RunAsync();
    }

    public TimeProvider Time { get; }

    public TestLogSink Logs { get; } = new();

    public DuplexTestStream Stream { get; }

    public WebSocketConnection Connection { get; }

    public SocketSession Session { get; }

    /// <summary>The connection's run: completes when the server is done with it.</summary>
    public Task Run { get; }

    /// <summary>How many times the slow-consumer counter of this server's meter went up.</summary>
    public long SlowConsumers => Interlocked.Read(ref _slowConsumers);

    internal FenixRuntime Runtime { get; }

    /// <param name="clientWindow">Bytes the server can write before a client that does not read blocks its writes.</param>
    public static WebSocketHarness Start(Action<SocketMountOptions>? configure = null, TimeProvider? time = null, long clientWindow = 64 * 1024)
    {
        var options = new SocketMountOptions();
        configure?.Invoke(options);
        return new WebSocketHarness(options, time ?? new TimerCountingTimeProvider(), clientWindow);
    }

    /// <summary>Sends one masked client frame.</summary>
    public async Task SendAsync(WebSocketOpcode opcode, byte[] payload, bool fin = true)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | (byte)opcode) };
        if (payload.Length <= 125)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.AddRange([0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        else
        {
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.Add(0x80 | 127);
            frame.AddRange(length);
        }

        byte[] key = [0x12, 0x34, 0x56, 0x78];
        frame.AddRange(key);
        for (var i = 0; i < payload.Length; i++)
        {
            frame.Add((byte)(payload[i] ^ key[i % 4]));
        }

        await _fromClient.Writer.WriteAsync(frame.ToArray());
    }

    public Task SendTextAsync(string text, bool fin = true) => SendAsync(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(text), fin);

    /// <summary>The client's TCP connection ends (no close frame).</summary>
    public ValueTask EndClientAsync() => _fromClient.Writer.CompleteAsync();

    /// <summary>The next server frame, or null when the server ended the connection.</summary>
    public async Task<ServerFrame?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Patience.Default);
        var reader = _toClient.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(cancel.Token);
            var buffer = result.Buffer;
            if (TryParse(ref buffer, out var frame))
            {
                reader.AdvanceTo(buffer.Start);
                return frame;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>A frame the server has already written, without waiting for one (null if none is there yet).</summary>
    public ServerFrame? TryReceiveNow()
    {
        var reader = _toClient.Reader;
        if (!reader.TryRead(out var result))
        {
            return null;
        }

        var buffer = result.Buffer;
        if (TryParse(ref buffer, out var frame))
        {
            reader.AdvanceTo(buffer.Start);
            return frame;
        }

        reader.AdvanceTo(buffer.Start, buffer.End);
        return null;
    }

    /// <summary>Reads until the server's close frame; returns it, or null if the connection ended without one.</summary>
    public async Task<ServerFrame?> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        while (await ReceiveAsync(timeout) is { } frame)
        {
            if (frame.Opcode == WebSocketOpcode.Close)
            {
                return frame;
            }
        }

        return null;
    }

    /// <summary>The server's bytes as they are on the wire, every frame up to and with its close frame (or the end).</summary>
    public async Task<byte[]> ReceiveRawUntilCloseAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Patience.Default);
        var reader = _toClient.Reader;
        var raw = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync(cancel.Token);
            var buffer = result.Buffer;
            var start = buffer.Start;
            var closed = false;
            while (TryParse(ref buffer, out var frame))
            {
                closed = frame.Opcode == WebSocketOpcode.Close;
                if (closed)
                {
                    break;
                }
            }

            raw.AddRange(result.Buffer.Slice(start, buffer.Start).ToArray());
            reader.AdvanceTo(buffer.Start, closed ? buffer.Start : buffer.End);
            if (closed || result.IsCompleted)
            {
                return [.. raw];
            }
        }
    }

    /// <summary>Waits for the server to finish with the connection (failing the test after <see cref="Patience.Default"/> of real time).</summary>
    public Task WaitForEndAsync() => Run.WaitAsync(Patience.Default);

    public IEnumerable<LogEntry> LogsWithId(int id) => Logs.Entries.Where(entry => entry.EventId.Id == id);

    public async ValueTask DisposeAsync()
    {
        await _fromClient.Writer.CompleteAsync();
        Stream.ReleaseWrites();
        await _toClient.Reader.CompleteAsync();
        try
        {
            await Run.WaitAsync(Patience.Default);
        }
        catch (TimeoutException)
        {
        }

        _meters.Dispose();
        await _services.DisposeAsync();
    }

    /// <summary>Runs the connection; when it returns, the client sees the end of the stream (as when Kestrel ends the request).</summary>
    private async Task RunAsync()
    {
        try
        {
            await Connection.RunAsync();
        }
        finally
        {
            await _toClient.Writer.CompleteAsync();
        }
    }

    private static bool TryParse(ref ReadOnlySequence<byte> buffer, out ServerFrame frame)
    {
        frame = null!;
        if (buffer.Length < 2)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[10];
        buffer.Slice(0, Math.Min(10, buffer.Length)).CopyTo(header);
        long length = header[1] & 0x7F;
        var headerLength = 2;
        if (length == 126)
        {
            headerLength = 4;
            length = buffer.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(header[2..]) : long.MaxValue;
        }
        else if (length == 127)
        {
            headerLength = 10;
            length = buffer.Length >= 10 ? (long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]) : long.MaxValue;
        }

        if (buffer.Length < headerLength + length)
        {
            return false;
        }

        frame = new ServerFrame((WebSocketOpcode)(header[0] & 0x0F), buffer.Slice(headerLength, length).ToArray());
        buffer = buffer.Slice(headerLength + length);
        return true;
    }

    private sealed class EmptySocket : FenixSocket
    {
    }
}
