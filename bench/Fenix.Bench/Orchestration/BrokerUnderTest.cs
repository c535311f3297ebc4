using System.Diagnostics;
using System.Globalization;

namespace Fenix.Bench.Orchestration;

/// <summary>
/// The cluster scenario's broker: the machine's RabbitMQ (shared, never started or stopped here; its beam.smp is only
/// read from /proc) or a Redis of this run's own on a free port, stopped by its pid at the end. Says how nodes reach it.
/// </summary>
internal sealed class BrokerUnderTest : IAsyncDisposable
{
    private readonly Process? _owned;

    private BrokerUnderTest(string backend, string address, int? pid, Process? owned)
    {
        Backend = backend;
        Address = address;
        Pid = pid;
        _owned = owned;
    }

    public string Backend { get; }

    /// <summary>What the nodes get as <c>--Fenix:RabbitMQ</c> or <c>--Fenix:Redis</c>.</summary>
    public string Address { get; }

    /// <summary>The broker's process, for its CPU and memory (null when not found).</summary>
    public int? Pid { get; }

    public static async Task<BrokerUnderTest> StartAsync(string backend, string? uri)
    {
        switch (backend)
        {
            case "rabbitmq":
                return new BrokerUnderTest(backend, uri ?? "amqp://guest:guest@127.0.0.1:5672/", ProcStat.FindProcess("beam.smp"), owned: null);
            case "redis" when uri is not null:
                return new BrokerUnderTest(backend, uri, ProcStat.FindProcess("redis-server"), owned: null);
            case "redis":
                var port = ServerUnderTest.FreePort();
                var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
                foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
                {
                    info.ArgumentList.Add(argument);
                }

                var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start redis-server (apt-get install redis-server).");
                process.OutputDataReceived += (_, _) => { };
                process.BeginOutputReadLine();
                await Task.Delay(500);
                return process.HasExited
                    ? throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}.")
                    : new BrokerUnderTest(backend, $"127.0.0.1:{port}", process.Id, process);
            default:
                throw new ArgumentException($"Unknown backend '{backend}': expected rabbitmq or redis.", nameof(backend));
        }
    }

    /// <summary>The node arguments that join it to this broker under a prefix of its own.</summary>
    public IEnumerable<string> NodeArguments(string prefix, string node) => Backend == "rabbitmq"
        ? [$"--Fenix:RabbitMQ={Address}", $"--Fenix:RabbitMQ:Prefix={prefix}", $"--Fenix:Node={node}"]
        : [$"--Fenix:Redis={Address}", $"--Fenix:Redis:Prefix={prefix}", $"--Fenix:Node={node}"];

    /// <summary>
    /// The broker's own cumulative traffic counters: Redis's <c>INFO</c> (all clients: PUBLISH calls, bytes), RabbitMQ's
    /// per-connection byte counts of the nodes named <paramref name="nodePrefix"/>… (messages: the nodes' adapter counters).
    /// </summary>
    public async Task<BrokerTraffic?> TrafficAsync(string nodePrefix) => Backend == "redis"
        ? await RedisInfo.ReadAsync(Address)
        : await RabbitMqConnections.ReadAsync(nodePrefix);

    public long CpuMicros() => Pid is { } pid ? ProcStat.CpuMicros(pid) : 0;

    public long Rss() => Pid is { } pid ? ProcStat.Memory(pid).Rss : 0;

    public async ValueTask DisposeAsync()
    {
        if (_owned is null)
        {
            return;
        }

        if (!_owned.HasExited)
        {
            _owned.Kill();
            await _owned.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        _owned.Dispose();
    }
}
