using System.Reflection;

namespace Fenix.Bench.Orchestration;

/// <summary>Where the servers under test were built: beside this tool in the repository, in the same configuration.</summary>
internal static class BenchPaths
{
    public static string Configuration { get; } =
        typeof(BenchPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The built server's assembly, e.g. bench/Servers/Fenix.Bench.FenixServer/bin/Release/net10.0/Fenix.Bench.FenixServer.dll.</summary>
    public static string ServerAssembly(string server)
    {
        var project = server switch
        {
            "fenix" => "Fenix.Bench.FenixServer",
            "signalr" => "Fenix.Bench.SignalRServer",
            "kestrel-ws" => "Fenix.Bench.KestrelWsServer",
            _ => throw new ArgumentException($"Unknown server '{server}'.", nameof(server)),
        };
        var path = Path.Combine(RepositoryRoot, "bench", "Servers", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"The server '{server}' is not built at {path}. Build the bench tool (it builds the servers): dotnet build -c {Configuration} bench/Fenix.Bench", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fenix.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Fenix.slnx above {AppContext.BaseDirectory}: run the bench tool from its build output in the repository.");
    }
}
