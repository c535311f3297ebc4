namespace Fenix.Docs.Tests;

/// <summary>The repository these tests check, found from the test's output folder.</summary>
internal static class Repository
{
    private static readonly string[] SkippedFolders = ["node_modules", "bin", "obj", "TestResults", ".git", "artifacts"];

    public static string Root { get; } = FindRoot();

    /// <summary>Every Markdown file of the repository (README, docs, package READMEs, template READMEs), relative to the root.</summary>
    public static IReadOnlyList<string> MarkdownFiles() => Walk(Root)
        .Where(path => path.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
        .Select(path => Path.GetRelativePath(Root, path).Replace('\\', '/'))
        .Order(StringComparer.Ordinal)
        .ToList();

    public static string FullPath(string relativePath) => Path.Combine(Root, relativePath);

    private static IEnumerable<string> Walk(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            yield return file;
        }

        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            if (!SkippedFolders.Contains(Path.GetFileName(child)))
            {
                foreach (var file in Walk(child))
                {
                    yield return file;
                }
            }
        }
    }

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
}
