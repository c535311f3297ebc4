namespace Fenix.Bench.Orchestration;

/// <summary>Another process's CPU time and memory, from /proc/&lt;pid&gt;/stat and /proc/&lt;pid&gt;/status.</summary>
internal static class ProcStat
{
    /// <summary>USER_HZ: the unit of utime/stime. 100 on every Linux on x86-64 and arm64.</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>utime + stime of all the process's threads, in microseconds (10 ms resolution).</summary>
    public static long CpuMicros(int pid)
    {
        var (user, system) = CpuSplitMicros(pid);
        return user + system;
    }

    /// <summary>
    /// utime and stime apart, in microseconds. On loopback the kernel's system time of a sender includes much of the
    /// receiving side's TCP processing (the packet is delivered in the sender's context), the same for every server.
    /// </summary>
    public static (long User, long System) CpuSplitMicros(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) may hold spaces; fields after it start after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var user = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture);
        var system = long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        const double micros = 1_000_000 / ClockTicksPerSecond;
        return ((long)(user * micros), (long)(system * micros));
    }

    /// <summary>Resident set size now, and its peak (VmRSS, VmHWM), in bytes.</summary>
    public static (long Rss, long Peak) Memory(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
        }

        return (rss, peak);
    }

    /// <summary>
    /// Context switches of all the process's threads (voluntary: a thread blocked, e.g. a thread-pool worker going to
    /// sleep; involuntary: preempted), summed over /proc/&lt;pid&gt;/task/*/status. Each wake-up of a sleeping worker is
    /// one voluntary switch when it sleeps again. Threads that exited meanwhile are not counted.
    /// </summary>
    public static (long Voluntary, long Involuntary) ContextSwitches(int pid)
    {
        long voluntary = 0, involuntary = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            voluntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                        else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            involuntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The thread exited while being read.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The process is gone.
        }

        return (voluntary, involuntary);
    }

    /// <summary>The process whose command name (/proc/&lt;pid&gt;/comm) is <paramref name="comm"/>, e.g. RabbitMQ's beam.smp; the first found.</summary>
    public static int? FindProcess(string comm)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() == comm)
                    {
                        return pid;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Gone meanwhile.
                }
            }
        }

        return null;
    }

    /// <summary>
    /// CPU time the whole machine spent busy (user, nice, system, irq, softirq: everything but idle and iowait, all cores)
    /// since boot, in microseconds, from /proc/stat: over a window, minus the server's and the load generators' own CPU,
    /// what everything else took (other processes, and kernel work no process is charged for).
    /// </summary>
    public static long MachineBusyMicros()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long busy = 0;
        foreach (var index in (int[])[1, 2, 3, 6, 7, 8])
        {
            busy += long.Parse(fields[index], System.Globalization.CultureInfo.InvariantCulture);
        }

        return (long)(busy * (1_000_000 / ClockTicksPerSecond));
    }

    /// <summary>The 1, 5 and 15 minute load averages and running/total tasks, as the kernel prints them.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private static long Kilobytes(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 ? long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * 1024 : 0;
    }
}
