using System.Reflection;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>Where the sources are, as recorded at build time.</summary>
public static class TestPaths
{
    public static string ProjectDirectory => Metadata("ProjectDirectory");

    public static string RepositoryRoot => Metadata("RepositoryRoot");

    public static string Configuration => Metadata("Configuration");

    public static string JsDirectory => Path.Combine(ProjectDirectory, "js");

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;
}
