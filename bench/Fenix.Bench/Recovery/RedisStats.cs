using System.Diagnostics;
using System.Globalization;

namespace Fenix.Bench.Recovery;

/// <summary>Redis's per-command call counts (<c>INFO commandstats</c> through <c>redis-cli</c>), to see what a recovery asked of it.</summary>
internal static class RedisStats
{
    public static async Task<Dictionary<string, long>> ReadAsync(string address)
    {
        var colon = address.LastIndexOf(':');
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", address[..colon], "-p", address[(colon + 1)..], "INFO", "commandstats" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start redis-cli.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries))
        {
            // cmdstat_xrange:calls=1000,usec=...,usec_per_call=...
            if (line.StartsWith("cmdstat_", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var nameEnd and > 0
                && line.IndexOf("calls=", StringComparison.Ordinal) is var at and > 0)
            {
                var end = line.IndexOf(',', at);
                calls[line[8..nameEnd]] = long.Parse(line.AsSpan(at + 6, (end < 0 ? line.Length : end) - at - 6), CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    public static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key), StringComparer.Ordinal);
}
