namespace Fenix.Bench.ServerKit;

/// <summary>Reads this process's resident memory from /proc (Linux); zero elsewhere.</summary>
public static class ProcessMemory
{
    /// <summary>Current and peak resident set size in bytes (VmRSS, VmHWM).</summary>
    public static (long Rss, long Peak) Read()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return (Environment.WorkingSet, 0);
        }

        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = ParseKilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = ParseKilobytes(line);
            }
        }

        return (rss, peak);
    }

    /// <summary>The soft limit of open files, or null when it cannot be read.</summary>
    public static long? OpenFileLimit()
    {
        const string limits = "/proc/self/limits";
        if (!File.Exists(limits))
        {
            return null;
        }

        var line = File.ReadLines(limits).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 0 } && long.TryParse(fields[0], out var soft) ? soft : null;
    }

    private static long ParseKilobytes(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && long.TryParse(fields[1], out var kb) ? kb * 1024 : 0;
    }
}
