using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Fenix.Bench.Orchestration;

/// <summary>
/// A server under test, running as its own process on 127.0.0.1 so its CPU and memory can be read from /proc.
/// Its output goes to a log file (shown when it fails); it is killed when disposed.
/// </summary>
internal sealed class ServerUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly StreamWriter _log;

    /// <summary>
    /// EventPipe providers for <c>--trace</c>: CPU samples, and from the runtime GC allocation ticks (level 5), lock
    /// contention, JIT/loader (to name methods) and stacks. Read the file with <c>dotnet-trace report FILE topN</c>.
    /// </summary>
    private const string TraceProviders =
        "Microsoft-DotNETCore-SampleProfiler:0:5,Microsoft-Windows-DotNETRuntime:0x40004019:5";

    private readonly bool _traced;

    private ServerUnderTest(string name, Process process, string baseUrl, StreamWriter log, string logPath, bool traced, string code)
    {
        _traced = traced;
        Name = name;
        Code = code;
        HasBenchEndpoints = BenchPaths.HasBenchEndpoints(name);
        _process = process;
        BaseUrl = baseUrl;
        _log = log;
        LogPath = logPath;
        _http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
    }

    public string Name { get; }

    public string BaseUrl { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    /// <summary>Whether its own assemblies are ReadyToRun or IL (<see cref="ServerCode"/>): what a fresh server's JIT has to do.</summary>
    public string Code { get; }

    /// <summary>False for samples/Chat: memory comes from /proc only (no forced GC), and there are no runtime counters.</summary>
    public bool HasBenchEndpoints { get; }

    /// <summary>
    /// Environment variables every server gets on top of the bench's own (<c>--server-env KEY=VALUE</c>), e.g.
    /// <c>DOTNET_PerfMapEnabled=1</c> for <c>perf</c> or a thread-pool setting under study.
    /// </summary>
    public static IReadOnlyList<string> ExtraEnvironment { get; set; } = [];

    public static Task<ServerUnderTest> StartAsync(string name, GcMode gc, string? tracePath = null, params string[] arguments) =>
        StartAsync(name, gc, tracePath, port: null, arguments);

    public static async Task<ServerUnderTest> StartAsync(string name, GcMode gc, string? tracePath, int? port, params string[] arguments)
    {
        port ??= FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = BenchPaths.ServerDirectory(name),
        };
        var assembly = BenchPaths.ServerAssembly(name);
        info.ArgumentList.Add(assembly);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseUrl);
        if (!BenchPaths.HasBenchEndpoints(name))
        {
            // As the independent harness ran samples/Chat: its own settings, server output at warning level.
            info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        }

        foreach (var argument in BenchPaths.ServerArguments(name).Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var variable in ExtraEnvironment)
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                info.Environment[variable[..equals]] = variable[(equals + 1)..];
            }
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_gcServer"] = gc == GcMode.Workstation ? "0" : "1";
        info.Environment["DOTNET_gcConcurrent"] = gc == GcMode.Workstation ? "0" : "1";
        if (tracePath is not null)
        {
            info.Environment["DOTNET_EnableEventPipe"] = "1";
            info.Environment["DOTNET_EventPipeOutputPath"] = Path.GetFullPath(tracePath);
            info.Environment["DOTNET_EventPipeConfig"] = TraceProviders;
        }

        var logPath = Path.Combine(Path.GetTempPath(), $"fenix-bench-{name}-{port}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start the {name} server.");
        process.OutputDataReceived += (_, e) => WriteLog(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerUnderTest(name, process, baseUrl, log, logPath, tracePath is not null, ServerCode.Describe(assembly));
        await server.WaitReadyAsync();
        Scenarios.Measure.Say($"{name} server up: pid {server.Pid}, {baseUrl}, its code {server.Code}, log {logPath}");
        return server;
    }

    /// <summary>
    /// Forces a full compacting GC in the server and returns its memory figures (see the server kit). samples/Chat has
    /// no such endpoint: its RSS is read from /proc as it is, and the managed figures are -1.
    /// </summary>
    public async Task<ServerStats> StatsAsync()
    {
        if (!HasBenchEndpoints)
        {
            return new ServerStats(Memory().Rss, -1, -1, ServerGc: true, "n/a");
        }

        using var json = JsonDocument.Parse(await _http.GetStringAsync("/bench/stats"));
        var root = json.RootElement;
        return new ServerStats(
            root.GetProperty("rss_bytes").GetInt64(),
            root.GetProperty("managed_bytes").GetInt64(),
            root.GetProperty("heap_size_bytes").GetInt64(),
            root.GetProperty("gc_server").GetBoolean(),
            root.GetProperty("gc_heap_count").ToString());
    }

    /// <summary>The server's cumulative runtime counters (allocations, GCs, lock contention); no GC is forced. Zero for samples/Chat.</summary>
    public async Task<RuntimeCounters> CountersAsync()
    {
        if (!HasBenchEndpoints)
        {
            return new RuntimeCounters(0, 0, 0, 0, 0, 0);
        }

        using var json = JsonDocument.Parse(await _http.GetStringAsync("/bench/counters"));
        var root = json.RootElement;
        return new RuntimeCounters(
            root.GetProperty("allocated_bytes").GetInt64(),
            root.GetProperty("gen0_collections").GetInt64(),
            root.GetProperty("gen2_collections").GetInt64(),
            root.GetProperty("lock_contentions").GetInt64(),
            root.GetProperty("thread_pool_work_items").GetInt64(),
            root.GetProperty("gc_pause_ms").GetInt64());
    }

    /// <summary>Every counter <c>/bench/counters</c> answers, by name (runtime ones and e.g. the cluster adapter's).</summary>
    public async Task<Dictionary<string, long>> RawCountersAsync()
    {
        if (!HasBenchEndpoints)
        {
            return [];
        }

        using var json = JsonDocument.Parse(await _http.GetStringAsync("/bench/counters"));
        return json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    /// <summary>Asks the server to publish <paramref name="count"/> messages of about <paramref name="size"/> bytes on <paramref name="topic"/>.</summary>
    public async Task BroadcastAsync(string topic, int count, int size, long intervalMicros, CancellationToken cancellationToken)
    {
        var url = $"/bench/broadcast?topic={Uri.EscapeDataString(topic)}&count={count}&size={size}&interval_us={intervalMicros}";
        using var response = await _http.PostAsync(url, content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public long CpuMicros() => ProcStat.CpuMicros(Pid);

    public (long Rss, long Peak) Memory() => ProcStat.Memory(Pid);

    public bool HasExited => _process.HasExited;

    /// <summary>Kills the server at once (SIGKILL: no shutdown, no goodbye to its clients or its cluster), as a crash would.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_traced && !_process.HasExited)
        {
            // A traced server must stop cleanly, or the end of its trace (and the method names) is lost.
            using var term = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        _process.Dispose();
        _http.Dispose();
        await _log.DisposeAsync();
    }

    private async Task WaitReadyAsync()
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The {Name} server exited with code {_process.ExitCode} while starting; see {LogPath}.");
            }

            try
            {
                // samples/Chat has no /bench/ping: any answer from it means it listens.
                using var response = await _http.GetAsync(HasBenchEndpoints ? "/bench/ping" : "/");
                if (response.IsSuccessStatusCode || !HasBenchEndpoints)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The {Name} server did not answer within {StartTimeout.TotalSeconds} s; see {LogPath}.");
    }

    private static void WriteLog(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Cumulative runtime counters of a server; subtract two readings to get a run's share.</summary>
internal sealed record RuntimeCounters(long AllocatedBytes, long Gen0, long Gen2, long LockContentions, long WorkItems, long GcPauseMs)
{
    public static RuntimeCounters operator -(RuntimeCounters a, RuntimeCounters b) => new(
        a.AllocatedBytes - b.AllocatedBytes, a.Gen0 - b.Gen0, a.Gen2 - b.Gen2, a.LockContentions - b.LockContentions, a.WorkItems - b.WorkItems, a.GcPauseMs - b.GcPauseMs);

    /// <summary>The run's counters per delivered message, for the JSON extras.</summary>
    public void AddTo(Dictionary<string, object?> extra, long deliveries, string prefix = "")
    {
        double? Per(long value) => deliveries > 0 ? (double)value / deliveries : null;
        extra[prefix + "alloc_bytes_per_delivery"] = Per(AllocatedBytes);
        extra[prefix + "lock_contentions_per_1k_deliveries"] = Per(LockContentions * 1000);
        extra[prefix + "work_items_per_delivery"] = Per(WorkItems);
        extra[prefix + "gen0_gcs"] = Gen0;
        extra[prefix + "gen2_gcs"] = Gen2;
        extra[prefix + "gc_pause_ms"] = GcPauseMs;
    }
}

/// <summary>A server's memory after a full compacting GC.</summary>
internal sealed record ServerStats(long Rss, long Managed, long HeapSize, bool ServerGc, string HeapCount);

/// <summary>The GC every server under test runs with.</summary>
internal enum GcMode
{
    /// <summary>Server GC, concurrent (ASP.NET Core's default; .NET 10 adapts the heap count with DATAS).</summary>
    Server,

    /// <summary>Workstation GC, non-concurrent: one heap, the smallest footprint.</summary>
    Workstation,
}
