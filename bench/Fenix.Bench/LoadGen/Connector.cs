using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// Opens client connections from one source address (127.0.0.x, so each load generator has its own 28k ephemeral
/// ports towards the server), performs the protocol's handshake and join, and times connect+join.
/// </summary>
internal sealed class Connector : IDisposable
{
    private static readonly TimeSpan DefaultJoinTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpMessageInvoker _invoker;
    private readonly WireProtocol _wire;
    private readonly bool _join;
    private readonly TimeSpan _joinTimeout;

    public Connector(WireProtocol wire, IPAddress? source, bool join = true, TimeSpan joinTimeout = default)
    {
        _wire = wire;
        _join = join;
        _joinTimeout = joinTimeout > TimeSpan.Zero ? joinTimeout : DefaultJoinTimeout;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    SourceBinding.Bind(socket, source);

                    await socket.ConnectAsync(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _invoker = new HttpMessageInvoker(handler);
    }

    /// <summary>Connects and joins; returns the connection, ready for its receive loop, and connect+join time in µs.</summary>
    public async Task<(ClientConnection Connection, long Micros)> ConnectAsync(string baseUrl, string topic, int index, Recorder recorder, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var connection = new ClientConnection(index, topic, socket);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_joinTimeout);
            await socket.ConnectAsync(_wire.ConnectUri(baseUrl, topic, index), _invoker, timeout.Token);
            if (_wire.Handshake is { } handshake)
            {
                await socket.SendAsync(handshake, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
                await AwaitAckAsync(connection, recorder, timeout.Token);
            }

            if (_join && _wire.JoinFrame(topic) is { } join)
            {
                await socket.SendAsync(join, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
                await AwaitAckAsync(connection, recorder, timeout.Token);
            }

            return (connection, (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        catch
        {
            socket.Abort();
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _invoker.Dispose();

    private async Task AwaitAckAsync(ClientConnection connection, Recorder recorder, CancellationToken cancellationToken)
    {
        // Bounded: the join timeout cancels the receive.
        while (true)
        {
            var message = await connection.ReceiveMessageAsync(cancellationToken);
            if (message.IsEmpty)
            {
                throw new WebSocketException("The server closed the connection during the join.");
            }

            var isAck = _wire.IsAck(message.Span, out var error);
            if (!isAck)
            {
                // Not the answer (a SignalR ping, a broadcast that overtook it): still counted.
                recorder.OnFrame(connection, message.Span, Stopwatch.GetTimestamp());
            }

            connection.ReleaseMessage();
            if (isAck)
            {
                if (error is not null)
                {
                    throw new InvalidOperationException($"Join refused: {error}");
                }

                return;
            }
        }
    }
}
