using Xunit;

namespace Fenix.Templates.Tests;

/// <summary>Building a sample without npm fails with a message that says what to install (not "MSB3073 … code 127").</summary>
public sealed class PrerequisiteTests : IDisposable
{
    private readonly string _project = Path.Combine(Path.GetTempPath(), $"fenix-sample-without-npm-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_sample_built_without_npm_fails_saying_what_to_install()
    {
        // A project shaped like a sample (a package.json beside it) that uses the samples' build steps.
        Directory.CreateDirectory(_project);
        File.Copy(Path.Combine(Repository.Root, "samples", "Chat", "package.json"), Path.Combine(_project, "package.json"));
        await File.WriteAllTextAsync(Path.Combine(_project, "Sample.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <Import Project="{Path.Combine(Repository.Root, "samples", "Directory.Build.targets")}" />
            </Project>
            """);
        using var noNpm = new NoNpm();

        var build = await ProcessRunner.RunAsync("dotnet", ["build", "--nologo", "-v", "quiet"], _project, TimeSpan.FromMinutes(5), noNpm.Environment);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error FENIXSAMPLE001: Sample needs npm", build.Output, StringComparison.Ordinal);
        Assert.Contains("Install Node.js 20 or later with npm", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB3073", build.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_project))
        {
            Directory.Delete(_project, recursive: true);
        }
    }
}
