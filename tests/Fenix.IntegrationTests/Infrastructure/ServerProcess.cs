using System.Diagnostics;
using System.Text;
using Fenix.Testing.Network;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// A sample server running as its own process (exactly as `dotnet run --project samples/X` runs it), on a free
/// loopback port. Tests use it to drive the sample's contract and to kill or restart real nodes.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>The PFX written for an HTTPS server, deleted with it.</summary>
    private string? _certificateFile;

    /// <summary>The process serves HTTPS with a certificate of its own (not <see cref="TestCertificate"/>).</summary>
    private bool _ownCertificate;

    /// <summary>Variables added to the process's environment (at every start).</summary>
    private IReadOnlyDictionary<string, string> _environment = new Dictionary<string, string>();

    private ServerProcess(string sample, int port, string[] arguments, string scheme = "http")
    {
        Sample = sample;
        Port = port;
        Arguments = arguments;
        Scheme = scheme;
    }

    public string Sample { get; }

    public int Port { get; }

    public string[] Arguments { get; }

    /// <summary>"http", or "https" for a server started with <see cref="StartHttpsAsync"/>.</summary>
    public string Scheme { get; }

    public Uri BaseUri => new($"{Scheme}://127.0.0.1:{Port}");

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

    /// <summary>Starts samples/<paramref name="sample"/> with <paramref name="environment"/> added to its environment.</summary>
    public static async Task<ServerProcess> StartWithEnvironmentAsync(string sample, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var server = Prepare(sample, environment, arguments);
        await server.StartAsync();
        return server;
    }

    /// <summary>A server not started yet, for tests that watch its <see cref="Output"/> while it starts (<see cref="StartAsync(string?)"/>).</summary>
    public static ServerProcess Prepare(string sample, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(sample, FreePort(), arguments) { _environment = environment };

    /// <summary>
    /// Starts samples/<paramref name="sample"/> over HTTPS with <see cref="TestCertificate"/> (given to Kestrel the way a
    /// user would: <c>--Kestrel:Certificates:Default:Path</c>), so browsers speak HTTP/2 to it.
    /// </summary>
    public static async Task<ServerProcess> StartHttpsAsync(string sample, params string[] arguments)
    {
        const string password = "fenix-test";
        var pfx = TestCertificate.WritePfx(password);
        string[] certificate = ["--Kestrel:Certificates:Default:Path", pfx, "--Kestrel:Certificates:Default:Password", password];
        var server = new ServerProcess(sample, FreePort(), [.. certificate, .. arguments], "https") { _certificateFile = pfx };
        await server.StartAsync();
        return server;
    }

    /// <summary>
    /// Starts samples/<paramref name="sample"/> on an https URL with its own arguments doing the TLS set-up (e.g. the
    /// Demo's <c>--self-signed-https</c>). Its certificate is not <see cref="TestCertificate"/>: the readiness probe accepts
    /// it (a process this test started), and browsers must be told to.
    /// </summary>
    public static async Task<ServerProcess> StartWithOwnHttpsAsync(string sample, params string[] arguments)
    {
        var server = new ServerProcess(sample, FreePort(), arguments, "https") { _ownCertificate = true };
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

    /// <summary>A port of the process's own, that no other test's server or client can take while it starts or restarts.</summary>
    public static int FreePort() => LoopbackPorts.Reserve();

    /// <summary>Starts (or restarts) the process on the same port.</summary>
    public async Task StartAsync(string? shellPrefix = null)
    {
        var directory = Path.Combine(TestPaths.RepositoryRoot, "samples", Sample);
        var dll = Path.Combine(directory, "bin", TestPaths.Configuration, "net10.0", $"{Sample}.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }

        var args = string.Join(' ', new[] { Quote(dll), "--urls", BaseUri.ToString().TrimEnd('/') }.Concat(Arguments.Select(Quote)));
        var start = shellPrefix is null
            ? new ProcessStartInfo("dotnet", args)
            : new ProcessStartInfo("bash", ["-c", $"{shellPrefix}; exec dotnet {args}"]);
        start.WorkingDirectory = directory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }
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
        if (_certificateFile is not null)
        {
            File.Delete(_certificateFile);
        }
    }

    private async Task WaitUntilServingAsync()
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                // A sample with its own self-signed certificate is trusted for this probe only: it is a process this test started.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => _ownCertificate || TestCertificate.IsOurs(certificate),
            },
        };
        using var http = new HttpClient(handler)
        {
            Timeout = TimeSpan.FromSeconds(2),
            DefaultRequestVersion = System.Net.HttpVersion.Version20, // over TLS: h2 if offered (some tests run h2-only servers)
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
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
