using System.Text.RegularExpressions;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>
/// Time in the library comes from <see cref="TimeProvider"/> only (style guide), so that fake clocks in tests see every
/// timeout and no code waits by polling: a source scan, because one stray <c>Task.Delay(5)</c> is enough to break it.
/// </summary>
public sealed partial class TimeSourceTests
{
    /// <summary>Ways to read or wait on the machine's clock without a TimeProvider (timeouts included).</summary>
    [GeneratedRegex(@"Task\.Delay\((?![^;]*\b(time|_time|Time|clock|timeProvider|TimeProvider)\b)[^;]*\)|Thread\.Sleep\(|DateTime(Offset)?\.(Utc)?Now|Stopwatch\.|Environment\.TickCount|new\s+Timer\(|new\s+PeriodicTimer\(|\.CancelAfter\(|new\s+CancellationTokenSource\((?!\s*\))(?![^;]*\b(time|_time|Time|clock|timeProvider|TimeProvider)\b)")]
    private static partial Regex MachineClock();

    [Fact]
    public void Library_code_takes_time_only_from_a_TimeProvider()
    {
        var root = Path.Combine(RepositoryRoot(), "src");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].Split("//", 2)[0];
                if (MachineClock().IsMatch(code))
                {
                    offenders.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(offenders.Count == 0, "Use the injected TimeProvider instead:\n" + string.Join("\n", offenders));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Fenix.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Fenix.slnx not found above the test's directory.");
    }
}
