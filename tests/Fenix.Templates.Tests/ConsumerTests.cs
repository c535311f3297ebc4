using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Fenix.Testing.Network;
using Xunit;

namespace Fenix.Templates.Tests;

/// <summary>
/// A new user's first ten minutes, from the packed folder only: install the templates, create an app, build it (package
/// references to the local feed, third-party packages from the usual NuGet source, its own package folder so nothing
/// stale is used), run it on a free port and drive it with the official phoenix client under Node (join, push and reply,
/// broadcast, presence, a refused token), add a channel with fenix-channel, run the app's tests, and build it again on a
/// PATH without npm.
/// </summary>
public sealed partial class ConsumerTests(PackedFeed feed) : IDisposable
{
    private const string AppName = "ConsumerApp";

    private readonly string _work = Path.Combine(Path.GetTempPath(), $"fenix-consumer-{Guid.NewGuid():N}");
    private readonly StringBuilder _log = new();
    private bool _passed;

    private string Solution => Path.Combine(_work, AppName);

    private string Project => Path.Combine(Solution, AppName);

    [Fact(Timeout = 20 * 60 * 1000)]
    public async Task A_fresh_app_from_the_packed_template_builds_runs_serves_the_official_client_and_passes_its_tests()
    {
        Directory.CreateDirectory(_work);
        var hive = Path.Combine(_work, "template-hive");

        await RunAsync("dotnet", ["new", "install", feed.PackageFile("Fenix.Templates"), "--debug:custom-hive", hive], _work, minutes: 3);
        await RunAsync("dotnet", ["new", "fenix", "-n", AppName, "-o", Solution, "--debug:custom-hive", hive], _work, minutes: 2);
        await WriteNuGetConfigAsync();

        var build = await RunAsync("dotnet", ["build", "--nologo"], Solution, minutes: 10);
        Assert.True(File.Exists(Path.Combine(Project, "wwwroot", "vendor", "phoenix.mjs")), $"the build did not fetch the phoenix client:\n{build.Output}");
        AssertOnlyPackageReferences();

        var port = LoopbackPorts.Reserve(); // not from the ephemeral range: no other test's socket takes it before the app binds it
        using (var app = StartApp(port))
        {
            try
            {
                await WaitUntilServingAsync(app, port);
                var driver = Path.Combine(Repository.Root, "tests", "Fenix.Templates.Tests", "js", "consumer.mjs");
                var scenario = await RunAsync("node", [driver, $"http://127.0.0.1:{port}"], Path.GetDirectoryName(driver)!, minutes: 2);
                Assert.Contains("consumer scenario passed", scenario.Output, StringComparison.Ordinal);
            }
            finally
            {
                app.Kill(entireProcessTree: true);
                await app.WaitForExitAsync();
            }
        }

        await RunAsync("dotnet", ["new", "fenix-channel", "-n", "Lobby", "--debug:custom-hive", hive], Project, minutes: 2);
        Assert.True(File.Exists(Path.Combine(Project, "LobbyChannel.cs")));
        Assert.True(File.Exists(Path.Combine(Solution, $"{AppName}.Tests", "LobbyChannelTests.cs")));

        var test = await RunAsync("dotnet", ["test", "--nologo"], Solution, minutes: 10);
        var passed = PassedCount().Match(test.Output);
        Assert.True(passed.Success, test.Output);
        Assert.True(int.Parse(passed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 12, $"expected the app's tests and the new channel's:\n{test.Output}");

        // On a machine without Node.js the app still builds (and its tests run); the build says what the page misses.
        Directory.Delete(Path.Combine(Project, "wwwroot", "vendor"), recursive: true);
        using (var noNpm = new NoNpm())
        {
            var withoutNpm = await ProcessRunner.RunAsync("dotnet", ["build", "--nologo"], Solution, TimeSpan.FromMinutes(5), noNpm.Environment);
            Assert.True(withoutNpm.ExitCode == 0, withoutNpm.Output);
            Assert.Contains("warning FENIXAPP001: npm was not found", withoutNpm.Output, StringComparison.Ordinal);
        }

        _passed = true;
    }

    public void Dispose()
    {
        // Kept when the test failed, so that the app and its build can be looked at (the failure message says where).
        if (_passed && Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    /// <summary>Fenix packages only from the packed folder; everything else from the machine's usual sources; a package folder of its own.</summary>
    private async Task WriteNuGetConfigAsync()
    {
        var sources = await RunAsync("dotnet", ["nuget", "list", "source", "--format", "short"], _work, minutes: 1);
        var usual = sources.Output.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("E ", StringComparison.Ordinal))
            .Select(line => line[2..].Trim())
            .ToList();
        Assert.NotEmpty(usual);

        var config = new StringBuilder();
        config.AppendLine("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        config.AppendLine("<configuration>");
        config.AppendLine($"  <config><add key=\"globalPackagesFolder\" value=\"{Path.Combine(_work, "packages")}\" /></config>");
        config.AppendLine("  <packageSources>\n    <clear />");
        config.AppendLine($"    <add key=\"fenix-feed\" value=\"{feed.Directory}\" />");
        for (var i = 0; i < usual.Count; i++)
        {
            config.AppendLine($"    <add key=\"usual{i}\" value=\"{usual[i]}\" />");
        }

        config.AppendLine("  </packageSources>\n  <packageSourceMapping>");
        config.AppendLine("    <packageSource key=\"fenix-feed\"><package pattern=\"Fenix.*\" /></packageSource>");
        for (var i = 0; i < usual.Count; i++)
        {
            config.AppendLine($"    <packageSource key=\"usual{i}\"><package pattern=\"*\" /></packageSource>");
        }

        config.AppendLine("  </packageSourceMapping>\n</configuration>");
        await File.WriteAllTextAsync(Path.Combine(Solution, "nuget.config"), config.ToString());
    }

    private void AssertOnlyPackageReferences()
    {
        foreach (var project in Directory.GetFiles(Solution, "*.csproj", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(project);
            Assert.DoesNotContain(Repository.Root, text, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"ProjectReference Include=""[^""]*Fenix\.", text);
        }

        var assets = File.ReadAllText(Path.Combine(Project, "obj", "project.assets.json"));
        Assert.Contains($"\"Fenix.AspNetCore/{Repository.Version}\"", assets, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_work, "packages"), assets, StringComparison.Ordinal);
    }

    private Process StartApp(int port)
    {
        var dll = Path.Combine(Project, "bin", "Debug", "net10.0", $"{AppName}.dll");
        var start = ProcessRunner.StartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"], Project,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        var app = Process.Start(start)!;
        app.OutputDataReceived += (_, e) => Log(e.Data);
        app.ErrorDataReceived += (_, e) => Log(e.Data);
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        return app;
    }

    private async Task WaitUntilServingAsync(Process app, int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(app.HasExited, $"the app exited with {(app.HasExited ? app.ExitCode : 0)}:\n{LogText()}");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
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

        throw new TimeoutException($"the app did not serve on port {port}:\n{LogText()}");
    }

    private async Task<ProcessRunner.Result> RunAsync(string fileName, string[] arguments, string directory, int minutes)
    {
        var result = await ProcessRunner.RunAsync(fileName, arguments, directory, TimeSpan.FromMinutes(minutes));
        Log($"$ {result.Command}\n{result.Output}");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{result.Command}` exited with {result.ExitCode} (work folder kept: {_work}):\n{result.Output}\n--- log ---\n{LogText()}");
        }

        return result;
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string LogText()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    [GeneratedRegex(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+(\d+)")]
    private static partial Regex PassedCount();
}
