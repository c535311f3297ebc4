using Fenix.Client.Transports;

namespace Fenix.Client.Internal;

/// <summary>
/// The socket's bookkeeping for one transport instance (phoenix.js's Connection). It forwards the transport's
/// events to the socket loop tagged with itself, so events of a replaced connection are recognised and ignored.
/// All fields are owned by the socket loop (read elsewhere only for status).
/// </summary>
internal sealed class Connection(Socket socket, TransportKind kind) : ITransportEvents
{
    private ITransport? _transport;

    public TransportKind Kind => kind;

    public ITransport Transport
    {
        get => _transport ?? throw new InvalidOperationException("The connection has no transport yet.");
        set => _transport = value;
    }

    /// <summary>Between the transport's open event and our close or its close event.</summary>
    public volatile bool IsOpen;

    /// <summary>We asked the transport to close; its close event only confirms that.</summary>
    public volatile bool Closing;

    /// <summary>The socket is done with this connection (disconnect, fallback, teardown).</summary>
    public bool Ended;

    /// <summary>The channels were already errored once after this connection stopped being open.</summary>
    public bool ChannelsErrored;

    /// <summary>The close event was handled (a transport reports it once, but stay safe).</summary>
    public bool CloseHandled;

    /// <summary>The join ref of each channel whose join went out over this connection.</summary>
    public Dictionary<Channel, string?> Joins { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Pending pings by ref; their replies can only come over this connection.</summary>
    public Dictionary<string, PendingPing> Pings { get; } = new(StringComparer.Ordinal);

    public bool IsConnecting => !IsOpen && !Closing && !CloseHandled;

    public bool Carried(Channel channel, string? joinRef) => Joins.TryGetValue(channel, out var carried) && carried == joinRef;

    public void Close(int? code, string? reason)
    {
        Closing = true;
        IsOpen = false;
        Transport.Close(code, reason);
    }

    /// <summary>Fails every pending ping: its reply cannot come anymore.</summary>
    public void AbandonPings()
    {
        foreach (var ping in Pings.Values)
        {
            ping.Lost();
        }

        Pings.Clear();
    }

    void ITransportEvents.OnOpen() => socket.Post(() => socket.OnConnOpen(this));

    void ITransportEvents.OnMessage(ReadOnlyMemory<byte> data, bool isBinary) => socket.Post(() => socket.OnConnMessage(this, data, isBinary));

    void ITransportEvents.OnError(Exception error) => socket.Post(() => socket.OnConnError(this, error));

    void ITransportEvents.OnClose(SocketCloseInfo close) => socket.Post(() => socket.OnConnClose(this, close));
}

/// <summary>A heartbeat sent by <see cref="Socket.PingAsync"/> (or the fallback health check) awaiting its reply.</summary>
internal sealed record PendingPing(long StartTimestamp, Action<TimeSpan> Replied, Action Lost);
