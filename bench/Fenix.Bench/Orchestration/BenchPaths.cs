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
        var path = Path.Combine(ServerDirectory(server), "bin", Configuration, "net10.0", Project(server) + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"The server '{server}' is not built at {path}. Build the bench tool (it builds the servers): dotnet build -c {Configuration} bench/Fenix.Bench", path);
    }

    /// <summary>The server's project folder: its content root (samples/Chat serves its page from there).</summary>
    public static string ServerDirectory(string server) => server == "chat"
        ? Path.Combine(RepositoryRoot, "samples", "Chat")
        : Path.Combine(RepositoryRoot, "bench", "Servers", Project(server));

    /// <summary>
    /// Arguments a server name adds to its program's command line: <c>fenix-history</c> is the Fenix bench server with a
    /// history on its fanout and chat topics (docs/history.md), to run beside <c>fenix</c> and read what history costs.
    /// </summary>
    public static IReadOnlyList<string> ServerArguments(string server) => server switch
    {
        "fenix-history" => ["--Bench:History=true"],
        "fenix-direct" => ["--Bench:DirectWebSockets=true"], // the same server, WebSockets below the HTTP stack
        _ => [],
    };

    /// <summary>Whether the server maps the /bench/* endpoints (the bench servers do; samples/Chat is run as shipped).</summary>
    public static bool HasBenchEndpoints(string server) => server != "chat";

    private static string Project(string server) => server switch
    {
        "fenix" or "fenix-history" or "fenix-direct" => "Fenix.Bench.FenixServer",
        "signalr" => "Fenix.Bench.SignalRServer",
        "kestrel-ws" => "Fenix.Bench.KestrelWsServer",
        "chat" => "Chat",
        _ => throw new ArgumentException($"Unknown server '{server}'.", nameof(server)),
    };

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
