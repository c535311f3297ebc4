namespace Fenix.Templates.Tests;

/// <summary>The repository under test, found from the test's output folder.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The one version of every package, as Directory.Build.props sets it.</summary>
    public static string Version { get; } = ReadVersion();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Fenix.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Fenix.slnx above {AppContext.BaseDirectory}.");
    }

    private static string ReadVersion()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(Root, "Directory.Build.props"));
        return props.Descendants("VersionPrefix").Single().Value;
    }
}
