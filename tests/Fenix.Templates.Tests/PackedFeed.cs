using Xunit;

[assembly: AssemblyFixture(typeof(Fenix.Templates.Tests.PackedFeed))]

namespace Fenix.Templates.Tests;

/// <summary>
/// A local folder feed made exactly as the README says a release is made: <c>dotnet pack -c Release -o &lt;dir&gt;</c>
/// at the repository root. Made once for the test run, deleted after it.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"fenix-feed-{Guid.NewGuid():N}");

    /// <summary>The .nupkg files (not the .snupkg symbol packages).</summary>
    public IReadOnlyList<string> Packages { get; private set; } = [];

    public string PackageFile(string id) =>
        Packages.SingleOrDefault(path => Path.GetFileName(path) == $"{id}.{Repository.Version}.nupkg")
        ?? throw new InvalidOperationException($"No {id}.{Repository.Version}.nupkg in the feed: {string.Join(", ", Packages.Select(Path.GetFileName))}");

    public async ValueTask InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var pack = await ProcessRunner.RunAsync("dotnet", ["pack", "-c", "Release", "-o", Directory, "--nologo"], Repository.Root, TimeSpan.FromMinutes(15));
        pack.EnsureSuccess();
        Packages = System.IO.Directory.GetFiles(Directory, "*.nupkg").Order(StringComparer.Ordinal).ToList();
    }

    public ValueTask DisposeAsync()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
