using Microsoft.Extensions.Time.Testing;
namespace Fenix.Client.Tests.Support;

/// <summary>A <see cref="Client.Socket"/> on fake transports and a fake clock, with helpers that let its loop settle.</summary>
internal sealed class FakeSocket : IAsyncDisposable
{
    private readonly List<FakeTransport> _transports = [];
    private readonly Lock _gate = new();

    public FakeSocket(Action<SocketOptions>? configure = null)
    {
        var options = new SocketOptions
        {
            TimeProvider = Time,
            TransportFactory = request =>
            {
                var transport = new FakeTransport(request, skipHeartbeat: request.Kind == TransportKind.LongPoll);
                lock (_gate)
                {
                    _transports.Add(transport);
                }

                return transport;
            },
        };
        configure?.Invoke(options);
        Socket = new Socket("ws://example.test/socket", options);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public Socket Socket { get; }

    public IReadOnlyList<FakeTransport> Transports
    {
        get
        {
            lock (_gate)
            {
                return [.. _transports];
            }
        }
    }

    public FakeTransport Current => Transports[^1];

    /// <summary>Connects and opens the first transport.</summary>
    public async Task<FakeTransport> ConnectAsync()
    {
        Socket.Connect();
        await SyncAsync();
        var transport = Current;
        transport.Open();
        await SyncAsync();
        return transport;
    }

    /// <summary>Creates and joins a channel, answering its join with ok.</summary>
    public async Task<Channel> JoinAsync(string topic, object? payload = null)
    {
        var channel = Socket.Channel(topic, payload);
        var joined = channel.JoinAsync();
        await SyncAsync();
        Current.Receive(Frames.Reply(channel.JoinRef, channel.JoinRef, topic, "ok"));
        var reply = await joined.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(reply.IsOk);
        return channel;
    }

    /// <summary>Lets the socket's loop run everything posted so far (twice, for work that posts more work).</summary>
    public async Task SyncAsync()
    {
        await Socket.SyncAsync();
        await Socket.SyncAsync();
    }

    public async Task AdvanceAsync(TimeSpan by)
    {
        await SyncAsync();
        Time.Advance(by);
        await SyncAsync();
    }

    public ValueTask DisposeAsync() => Socket.DisposeAsync();
}
