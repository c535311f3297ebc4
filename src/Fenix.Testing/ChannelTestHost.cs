using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol.Serializers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fenix.Testing;

/// <summary>
/// The test kit's server: Fenix's real services (PubSub, channels, presence) without any network — the test is the
/// transport, as with Phoenix.ChannelTest. Build sockets with <c>Socket&lt;TSocket&gt;(assigns)</c> or
/// <see cref="ConnectAsync{TSocket}"/>, then join, push and assert on what the server sends.
/// </summary>
/// <example>
/// <code>
/// await using var host = new ChannelTestHost();
/// var socket = host.Socket&lt;UserSocket&gt;(("user", "ann"));
/// await socket.JoinAsync("rooms:lobby");
/// var reply = socket.Push("rooms:lobby", "ping", new { x = 1 });
/// await socket.AssertReplyAsync(reply, "ok", new { x = 1 });
/// </code>
/// </example>
public sealed class ChannelTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<TestSocket> _sockets = [];

    /// <param name="configureServices">Adds the application's services (and Fenix options, presence, ...).</param>
    public ChannelTestHost(Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        services.AddFenix();
        configureServices?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        Runtime = _services.GetRequiredService<FenixRuntime>();
    }

    /// <summary>How long assertions wait for a frame (default 3 s: generous for loaded CI machines; a passing assertion returns at once).</summary>
    public TimeSpan AssertTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long refutations watch for an unwanted frame (default 100 ms).</summary>
    public TimeSpan RefuteTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>When true (the default), disposing the host throws if anything logged an error not taken by <see cref="TakeErrors"/>.</summary>
    public bool FailOnErrorLogs { get; set; } = true;

    public IServiceProvider Services => _services;

    public TestLogSink Logs { get; } = new();

    public IFenixBroadcaster Broadcaster => _services.GetRequiredService<IFenixBroadcaster>();

    internal FenixRuntime Runtime { get; }

    /// <summary>A connected socket of <typeparamref name="TSocket"/> with the given assigns (its connect callback is not run).</summary>
    public TestSocket Socket<TSocket>(params (string Key, object? Value)[] assigns)
        where TSocket : FenixSocket => Socket<TSocket>(id: null, assigns);

    /// <summary>Like <c>Socket&lt;TSocket&gt;(assigns)</c>, with a socket id.</summary>
    public TestSocket Socket<TSocket>(string? id, params (string Key, object? Value)[] assigns)
        where TSocket : FenixSocket
    {
        var values = new Assigns();
        foreach (var (key, value) in assigns)
        {
            values[key] = value;
        }

        return Start(MountFor<TSocket>(), values, id, TestConnectInfo.Create());
    }

    /// <summary>Runs <typeparamref name="TSocket"/>'s connect callback with <paramref name="parameters"/>;
    /// throws <see cref="ChannelAssertionException"/> if it refuses (use <see cref="TryConnectAsync{TSocket}"/> to test refusals).</summary>
    public async Task<TestSocket> ConnectAsync<TSocket>(IReadOnlyDictionary<string, string>? parameters = null, ConnectInfo? connectInfo = null)
        where TSocket : FenixSocket =>
        await TryConnectAsync<TSocket>(parameters, connectInfo)
            ?? throw new ChannelAssertionException($"Expected {typeof(TSocket).Name} to accept the connection, but its ConnectAsync refused it (use TryConnectAsync to test refusals).");

    /// <summary>Runs the connect callback; null when it refuses.</summary>
    public async Task<TestSocket?> TryConnectAsync<TSocket>(IReadOnlyDictionary<string, string>? parameters = null, ConnectInfo? connectInfo = null)
        where TSocket : FenixSocket
    {
        var mount = MountFor<TSocket>();

        // The connect callback runs in a scope of its own, as it runs in its HTTP request's scope on a real server.
        await using var request = _services.CreateAsyncScope();
        var info = connectInfo ?? TestConnectInfo.Create(requestServices: request.ServiceProvider);
        var outcome = await SocketConnector.ConnectAsync(mount, Runtime, new ConnectParams(parameters ?? new Dictionary<string, string>()), info);
        return outcome.Accepted ? Start(mount, outcome.Assigns, outcome.SocketId, info) : null;
    }

    /// <summary>Sets the mount options (e.g. MaxChannels) used for sockets of <typeparamref name="TSocket"/>; call before creating them.</summary>
    public void ConfigureMount<TSocket>(Action<SocketMountOptions> configure)
        where TSocket : FenixSocket
    {
        var options = new SocketMountOptions();
        configure(options);
        lock (_mounts)
        {
            _mounts[typeof(TSocket)] = new SocketMount("/socket", ActivatorUtilities.CreateInstance<TSocket>(_services), options);
        }
    }

    /// <summary>Removes and returns the error log entries so far (for tests that expect errors, e.g. crashes).</summary>
    public IReadOnlyList<LogEntry> TakeErrors()
    {
        var errors = Logs.Errors.Except(_takenErrors).ToList();
        _takenErrors.AddRange(errors);
        return errors;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            await socket.CloseAsync();
        }

        await _services.DisposeAsync();
        var untaken = Logs.Errors.Except(_takenErrors).ToList();
        if (FailOnErrorLogs && untaken.Count > 0)
        {
            throw new ChannelAssertionException(
                "Unexpected error logs:\n  " + string.Join("\n  ", untaken.Select(e => $"[{e.Category}] {e.Message} {e.Exception}")));
        }
    }

    private readonly List<LogEntry> _takenErrors = [];

    private readonly Dictionary<Type, SocketMount> _mounts = [];

    private SocketMount MountFor<TSocket>()
        where TSocket : FenixSocket
    {
        lock (_mounts)
        {
            if (!_mounts.TryGetValue(typeof(TSocket), out var mount))
            {
                mount = new SocketMount("/socket", ActivatorUtilities.CreateInstance<TSocket>(_services), new SocketMountOptions());
                _mounts[typeof(TSocket)] = mount;
            }

            return mount;
        }
    }

    private TestSocket Start(SocketMount mount, Assigns assigns, string? id, ConnectInfo info)
    {
        var inbox = new Inbox<ReceivedFrame>();
        var transport = new TestTransport(inbox);
        var session = new SocketSession(Runtime, mount, V2JsonSerializer.Instance, assigns, id, info, transport);
        session.Start();
        var socket = new TestSocket(this, session, transport, inbox);
        lock (_sockets)
        {
            _sockets.Add(socket);
        }

        return socket;
    }
}
