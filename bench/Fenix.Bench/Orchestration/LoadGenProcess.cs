using System.Diagnostics;
using System.Text.Json;
using Fenix.Bench.Shared;

namespace Fenix.Bench.Orchestration;

/// <summary>
/// One load generator: this same executable in <c>loadgen</c> mode, driven over its standard input and output with
/// one JSON line per command and per answer. Its standard error is passed through.
/// </summary>
internal sealed class LoadGenProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _turn = new(1, 1);

    private LoadGenProcess(Process process, int number)
    {
        _process = process;
        Number = number;
    }

    public int Number { get; }

    public int Pid => _process.Id;

    /// <summary>CPU time (user + system) this load generator used so far, in microseconds; 0 once it exited.</summary>
    public long CpuMicros()
    {
        try
        {
            return _process.HasExited ? 0 : ProcStat.CpuMicros(_process.Id);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return 0;
        }
    }

    public static LoadGenProcess Start(int number)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this executable to start load generators.");
        var info = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // Run as `dotnet fenix-bench.dll` when started that way, else through the app host.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(LoadGenProcess).Assembly.Location);
        }

        info.ArgumentList.Add("loadgen");
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start a load generator.");
        return new LoadGenProcess(process, number);
    }

    /// <summary>Sends <paramref name="command"/> and waits (at most <paramref name="timeout"/>) for its answer.</summary>
    public async Task<LoadGenEvent> SendAsync(LoadGenCommand command, TimeSpan timeout)
    {
        await _turn.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command, LoadGenCommand.Json));
            await _process.StandardInput.FlushAsync();
            using var cancel = new CancellationTokenSource(timeout);
            string? line;
            try
            {
                line = await _process.StandardOutput.ReadLineAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"Load generator {Number} did not answer '{command.Op}' within {timeout.TotalMinutes:0.#} min.");
            }

            if (line is null)
            {
                throw new InvalidOperationException($"Load generator {Number} exited (code {(_process.HasExited ? _process.ExitCode : -1)}).");
            }

            var reply = JsonSerializer.Deserialize<LoadGenEvent>(line, LoadGenCommand.Json)
                ?? throw new InvalidOperationException($"Load generator {Number} answered nothing.");
            return reply.Ev == "error"
                ? throw new InvalidOperationException($"Load generator {Number} failed '{command.Op}': {reply.FirstError}")
                : reply;
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await SendAsync(new LoadGenCommand { Op = "close" }, TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException or IOException)
        {
            // Fall through to the kill below.
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _turn.Dispose();
    }
}
