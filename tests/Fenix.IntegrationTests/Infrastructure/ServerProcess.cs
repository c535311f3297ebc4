using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// A sample server running as its own process (exactly as `dotnet run --project samples/X` runs it), on a free
/// loopback port. Tests use it to drive the sample's contract and to kill or restart real nodes.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    private ServerProcess(string sample, int port, string[] arguments)
    {
        Sample = sample;
        Port = port;
        Arguments = arguments;
    }

    public string Sample { get; }

    public int Port { get; }

    public string[] Arguments { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    /// <summary>What the process printed (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process?.HasExited ?? true;

    /// <summary>Starts samples/<paramref name="sample"/> and waits until it serves HTTP.</summary>
    public static async Task<ServerProcess> StartAsync(string sample, int? port = null, params string[] arguments)
    {
        var server = new ServerProcess(sample, port ?? FreePort(), arguments);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts samples/<paramref name="sample"/> under a shell that first runs <paramref name="shellPrefix"/> (e.g. <c>ulimit -n 300</c>).</summary>
    public static async Task<ServerProcess> StartUnderShellAsync(string sample, string shellPrefix)
    {
        var server = new ServerProcess(sample, FreePort(), []);
        await server.StartAsync(shellPrefix);
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts (or restarts) the process on the same port.</summary>
    public async Task StartAsync(string? shellPrefix = null)
    {
        var directory = Path.Combine(TestPaths.RepositoryRoot, "samples", Sample);
        var dll = Path.Combine(directory, "bin", TestPaths.Configuration, "net10.0", $"{Sample}.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }

        var args = string.Join(' ', new[] { Quote(dll), "--urls", $"http://127.0.0.1:{Port}" }.Concat(Arguments.Select(Quote)));
        var start = shellPrefix is null
            ? new ProcessStartInfo("dotnet", args)
            : new ProcessStartInfo("bash", ["-c", $"{shellPrefix}; exec dotnet {args}"]);
        start.WorkingDirectory = directory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilServingAsync();
    }

    /// <summary>Kills the process at once (SIGKILL): no graceful shutdown, like a crashed node.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Asks the process to stop (SIGTERM), as a deployment would, and waits for it to exit.</summary>
    public async Task TerminateAsync()
    {
        if (_process is { HasExited: false })
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    private async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"{Sample} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(BaseUri);
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Sample} did not start serving on port {Port}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string Quote(string value) => value.Contains(' ', StringComparison.Ordinal) ? $"\"{value}\"" : value;
}
