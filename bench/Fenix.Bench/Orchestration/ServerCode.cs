using System.Reflection.PortableExecutable;

namespace Fenix.Bench.Orchestration;

/// <summary>
/// Whether a server's own assemblies (those in its output folder: the app, Fenix's, the broker clients; the framework
/// is precompiled either way) carry ReadyToRun code, so that a fresh server's figures say which kind of build ran.
/// samples/Chat's Release build is ReadyToRun (eng/ReadyToRunOnBuild.targets); the bench servers are plain IL.
/// </summary>
internal static class ServerCode
{
    /// <summary>"ReadyToRun", "IL" or "mixed (k of n ReadyToRun)", over the managed .dll files beside <paramref name="assembly"/>.</summary>
    public static string Describe(string assembly)
    {
        var directory = Path.GetDirectoryName(assembly) ?? ".";
        var managed = 0;
        var precompiled = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*.dll"))
        {
            switch (IsReadyToRun(file))
            {
                case true:
                    managed++;
                    precompiled++;
                    break;
                case false:
                    managed++;
                    break;
            }
        }

        return precompiled == 0 ? "IL" : precompiled == managed ? "ReadyToRun" : $"mixed ({precompiled} of {managed} ReadyToRun)";
    }

    /// <summary>True for a ReadyToRun image, false for IL only, null for a file that is not a managed assembly.</summary>
    private static bool? IsReadyToRun(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            using var reader = new PEReader(stream);
            var cor = reader.PEHeaders.CorHeader;
            return cor is null ? null : cor.ManagedNativeHeaderDirectory.Size > 0;
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }
}
