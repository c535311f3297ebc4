using System.Diagnostics;
using RabbitMQ.Client;

namespace Fenix.Testing.RabbitMQ;

/// <summary>
/// The local RabbitMQ broker that tests use (scripts/ensure-deps.sh installs and starts it): its URI, a check that it
/// answers, clean-up of a test's broker objects, and stop/start for outage tests. Tests of several assemblies share
/// the broker, so users hold <see cref="ShareAsync"/> and outage tests <see cref="ExclusiveAsync"/> (a cross-process lock).
/// </summary>
public static class RabbitMqBroker
{
    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "fenix-rabbitmq-tests");

    /// <summary>amqp://guest:guest@127.0.0.1:5672/ unless FENIX_TEST_RABBITMQ says otherwise.</summary>
    public static Uri Uri { get; } = new(Environment.GetEnvironmentVariable("FENIX_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>A prefix for one test's broker objects, so that concurrent tests never see each other's traffic.</summary>
    public static string NewPrefix(string test) => $"fenix-test-{test}-{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>
    /// Shares the broker with other tests (waits while an outage test holds it). Also checks that the broker answers,
    /// starting its application if a crashed outage test left it stopped.
    /// </summary>
    public static async Task<IAsyncDisposable> ShareAsync()
    {
        var hold = await CrossProcessLock.AcquireAsync(LockDirectory, exclusive: false, TimeSpan.FromMinutes(3));
        try
        {
            await EnsureRunningAsync();
            return hold;
        }
        catch
        {
            await hold.DisposeAsync();
            throw;
        }
    }

    /// <summary>Takes the broker for an outage test: no other test (in any process) uses it meanwhile.</summary>
    public static async Task<IAsyncDisposable> ExclusiveAsync()
    {
        var hold = await CrossProcessLock.AcquireAsync(LockDirectory, exclusive: true, TimeSpan.FromMinutes(3));
        try
        {
            await EnsureRunningAsync();
            return hold;
        }
        catch
        {
            await hold.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the broker application (connections close, transient exchanges and queues vanish).</summary>
    public static Task StopAsync() => RabbitMqCtlAsync("stop_app");

    /// <summary>Starts the broker application again and waits until it serves.</summary>
    public static async Task StartAsync()
    {
        await RabbitMqCtlAsync("start_app");
        await RabbitMqCtlAsync("await_startup");
    }

    /// <summary>True when an AMQP connection opens.</summary>
    public static async Task<bool> AnswersAsync()
    {
        try
        {
            var factory = new ConnectionFactory { Uri = Uri, AutomaticRecoveryEnabled = false, RequestedConnectionTimeout = TimeSpan.FromSeconds(3) };
            await using var connection = await factory.CreateConnectionAsync();
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Deletes the exchange of a test's prefix (queues go with their connections).</summary>
    public static async Task DeleteExchangeAsync(string prefix)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = Uri, AutomaticRecoveryEnabled = false };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeleteAsync($"{prefix}.broadcast", ifUnused: false);
        }
        catch (Exception)
        {
            // Best effort: a leftover transient exchange is harmless and goes with the next broker restart.
        }
    }

    private static async Task EnsureRunningAsync()
    {
        if (await AnswersAsync())
        {
            return;
        }

        try
        {
            await StartAsync(); // an outage test that crashed may have left the application stopped
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"RabbitMQ does not answer at {Uri.Host}:{Uri.Port}: run scripts/ensure-deps.sh first. ({e.Message})", e);
        }

        if (!await AnswersAsync())
        {
            throw new InvalidOperationException($"RabbitMQ does not answer at {Uri.Host}:{Uri.Port}: run scripts/ensure-deps.sh first.");
        }
    }

    private static async Task RabbitMqCtlAsync(string command)
    {
        var start = new ProcessStartInfo("rabbitmqctl", ["-q", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmqctl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {command} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
