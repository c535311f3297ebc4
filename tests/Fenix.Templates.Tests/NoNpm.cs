namespace Fenix.Templates.Tests;

/// <summary>A PATH holding only `dotnet` and `sh`: how a machine without Node.js (no `npm`) looks to a build.</summary>
internal sealed class NoNpm : IDisposable
{
    public NoNpm()
    {
        var dotnet = (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator)
            .Select(directory => new FileInfo(Path.Combine(directory, "dotnet")))
            .FirstOrDefault(file => file.Exists) ?? throw new InvalidOperationException("dotnet is not on PATH");
        var real = dotnet.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet.FullName;
        DotnetRoot = Path.GetDirectoryName(real)!;

        Directory.CreateDirectory(Bin);
        File.CreateSymbolicLink(Path.Combine(Bin, "dotnet"), real);
        File.CreateSymbolicLink(Path.Combine(Bin, "sh"), "/bin/sh");
    }

    public string Bin { get; } = Path.Combine(Path.GetTempPath(), $"fenix-no-npm-{Guid.NewGuid():N}");

    private string DotnetRoot { get; }

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["PATH"] = Bin,
        ["DOTNET_ROOT"] = DotnetRoot,
    };

    public void Dispose() => Directory.Delete(Bin, recursive: true);
}
