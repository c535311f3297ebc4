using System.Diagnostics;
using System.Globalization;
using Fenix.Bench.Scenarios;

namespace Fenix.Bench.Orchestration;

/// <summary>
/// <c>--during CMD</c>: a shell command run over a scenario's measured window, with <c>{pid}</c> (the server's),
/// <c>{server}</c> and <c>{seconds}</c> (the window's planned length) substituted, e.g.
/// <c>perf record -F 499 -g -p {pid} -o /tmp/paced-{server}.perf</c> or <c>strace -c -f -p {pid} -o /tmp/{server}.strace</c>.
/// It is interrupted (SIGINT, as Ctrl-C would: perf and strace then write their reports) when the window ends.
/// </summary>
internal sealed class DuringCommand : IAsyncDisposable
{
    private readonly Process? _process;

    /// <summary>Set by the first dispose; later ones do nothing (a scenario may end the window before its scope ends).</summary>
    private bool _disposed;

    private DuringCommand(Process? process) => _process = process;

    public static DuringCommand Start(string? template, ServerUnderTest server, double seconds)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return new DuringCommand(null);
        }

        var command = template
            .Replace("{pid}", server.Pid.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{server}", server.Name, StringComparison.Ordinal)
            .Replace("{seconds}", Math.Ceiling(seconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Measure.Say($"during the window: {command}");

        // exec: the shell becomes the command, so the interrupt reaches it.
        var info = new ProcessStartInfo("bash") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec " + command);
        return new DuringCommand(Process.Start(info));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null || _disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            using var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await interrupt.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
