namespace Fenix.AspNetCore.Hosting;

/// <summary>Reads the process's soft limit of open files (Linux), to keep connection limits below it.</summary>
internal static class FileDescriptorLimit
{
    /// <summary>How many descriptors the process holds now (Linux), or null where that cannot be read.</summary>
    public static int? OpenCount()
    {
        const string descriptors = "/proc/self/fd";
        return OperatingSystem.IsLinux() && Directory.Exists(descriptors) ? Directory.GetFileSystemEntries(descriptors).Length : null;
    }

    public static long? Read()
    {
        const string limits = "/proc/self/limits";
        if (!OperatingSystem.IsLinux() || !File.Exists(limits))
        {
            return null;
        }

        foreach (var line in File.ReadLines(limits))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], out var soft) ? soft : null;
        }

        return null;
    }
}
