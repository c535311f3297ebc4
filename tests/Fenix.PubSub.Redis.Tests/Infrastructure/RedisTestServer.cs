using System.Net.Sockets;
using Fenix.Testing.Network;

namespace Fenix.Testing.Redis;

/// <summary>
/// The Redis that tests share: the one scripts/ensure-deps.sh starts on 127.0.0.1:6379 (or FENIX_TEST_REDIS_PORT, as
/// there; or FENIX_TEST_REDIS, a whole StackExchange.Redis configuration string). Tests isolate themselves with a channel
/// prefix of their own; tests that need an outage start an <see cref="OwnedRedisServer"/> instead, never stopping this one.
/// </summary>
public static class RedisTestServer
{
    public static string Configuration { get; } =
        Environment.GetEnvironmentVariable("FENIX_TEST_REDIS") ?? $"127.0.0.1:{Environment.GetEnvironmentVariable("FENIX_TEST_REDIS_PORT") ?? "6379"}";

    /// <summary>A prefix for one test's channel, so that concurrent tests never see each other's traffic.</summary>
    public static string NewPrefix(string test) => $"fenix-test-{test}-{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>Deletes the keys a test left under <paramref name="prefix"/> (e.g. history streams and counters), best effort.</summary>
    public static async Task DeleteKeysAsync(string prefix)
    {
        try
        {
            await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Configuration);
            var database = redis.GetDatabase();
            foreach (var server in redis.GetServers())
            {
                await foreach (var key in server.KeysAsync(pattern: $"{prefix}:*"))
                {
                    await database.KeyDeleteAsync(key);
                }
            }
        }
        catch (StackExchange.Redis.RedisException)
        {
        }
    }

    /// <summary>Fails with what to do when the shared Redis does not answer.</summary>
    public static async Task EnsureAnsweringAsync()
    {
        var endpoint = Configuration.Split(',')[0];
        var separator = endpoint.LastIndexOf(':');
        var (host, port) = separator < 0 ? (endpoint, 6379) : (endpoint[..separator], int.Parse(endpoint[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        if (!await OwnedRedisServer.AnswersAsync(host, port))
        {
            throw new InvalidOperationException($"Redis does not answer at {host}:{port}: run scripts/ensure-deps.sh first (or set FENIX_TEST_REDIS).");
        }
    }
}

/// <summary>
/// A redis-server process of a test's own, on a free loopback port, without persistence: the test may kill it and start
/// it again on the same port (an outage) without touching the Redis other tests share.
/// </summary>
public sealed class OwnedRedisServer : IAsyncDisposable
{
    private System.Diagnostics.Process? _process;

    private OwnedRedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The running server's process id (to freeze it with SIGSTOP, for instance).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>
    /// Reserves a free port without starting the server (for "Redis comes later" tests): one that nobody else's bind to
    /// port 0 or outgoing connection can take while the server is not (or no longer) there.
    /// </summary>
    public static OwnedRedisServer Reserve() => new(LoopbackPorts.Reserve());

    public static async Task<OwnedRedisServer> StartNewAsync()
    {
        var server = Reserve();
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts (or starts again) redis-server on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        var start = new System.Diagnostics.ProcessStartInfo(
            "redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Path.GetTempPath()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start: run scripts/ensure-deps.sh first.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await AnswersAsync("127.0.0.1", Port))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port} (exit code {(_process.HasExited ? _process.ExitCode : -1)}).");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server (SIGKILL: no goodbye to its clients, as in a crash) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    /// <summary>True when something at <paramref name="host"/>:<paramref name="port"/> answers an inline PING like Redis.</summary>
    public static async Task<bool> AnswersAsync(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(host, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
