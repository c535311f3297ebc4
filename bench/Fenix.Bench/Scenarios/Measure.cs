using System.Diagnostics;
using Fenix.Bench.Orchestration;

namespace Fenix.Bench.Scenarios;

/// <summary>Small helpers shared by the scenarios.</summary>
internal static class Measure
{
    public static readonly IReadOnlyList<string> AllServers = ["fenix", "signalr", "kestrel-ws"];

    /// <summary>The bench servers and samples/Chat as shipped (the independent harness's server).</summary>
    public static readonly IReadOnlyList<string> AllServersAndChat = ["fenix", "chat", "signalr", "kestrel-ws"];

    /// <summary>The Fenix bench server with history on its topics (<c>--server fenix,fenix-history</c>: history off and on side by side).</summary>
    public static readonly IReadOnlyList<string> WithHistory = ["fenix-history"];

    /// <summary>How the load generators speak to <paramref name="server"/> (see <see cref="LoadGen.WireProtocol.For"/>).</summary>
    public static string WireFor(string server) => server == "fenix-history" ? "fenix" : server;

    /// <summary>The room a scenario's members join: samples/Chat has only <c>rooms:lobby</c>.</summary>
    public static string RoomTopic(string server, string benchTopic) => server == "chat" ? LoadGen.ChatSampleWire.Lobby : benchTopic;

    /// <summary>
    /// samples/Chat tracks every member of its lobby: waits until every client's list holds all <paramref name="members"/>
    /// (presence quiet), so that what follows measures the steady room. Returns the seconds waited, or null for other servers.
    /// </summary>
    public static async Task<double?> WaitForPresenceQuietAsync(string server, LoadGenFleet fleet, int members)
    {
        if (server != "chat")
        {
            return null;
        }

        var start = Stopwatch.GetTimestamp();
        var target = (long)members * members;
        var progress = await fleet.WaitAsync(p => p.Agreed >= target, TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(5));
        if (progress.Agreed < target)
        {
            Say($"presence not quiet: {progress.Agreed:N0} of {target:N0} list entries");
        }

        return Elapsed(start);
    }

    public static double Ms(double? micros) => micros is { } m ? m / 1000.0 : double.NaN;

    public static double? PerUnit(long total, long units) => units > 0 ? (double)total / units : null;

    /// <summary>Writes progress to standard error, so standard output stays the table.</summary>
    public static void Say(string text) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    /// <summary>Fails the run when the server died (e.g. at the open-file limit), with its log's location.</summary>
    public static void EnsureAlive(ServerUnderTest server)
    {
        if (server.HasExited)
        {
            throw new InvalidOperationException($"The {server.Name} server exited during the run; see {server.LogPath}.");
        }
    }

    /// <summary>Median and maximum of the per-broadcast "reached everyone" times, in ms (slots of -1 were never received).</summary>
    public static (double? P50, double? Max, int Missing) ReachAll(long[] seqMaxMicros)
    {
        var received = seqMaxMicros.Where(v => v >= 0).Order().ToArray();
        if (received.Length == 0)
        {
            return (null, null, seqMaxMicros.Length);
        }

        return (received[received.Length / 2] / 1000.0, received[^1] / 1000.0, seqMaxMicros.Length - received.Length);
    }

    /// <summary>Keeps everything open for <see cref="ScenarioSettings.HoldSeconds"/>, to attach dotnet-trace or a heap walker.</summary>
    public static async Task HoldAsync(ServerUnderTest server, ScenarioSettings settings)
    {
        if (settings.HoldSeconds > 0)
        {
            Say($"holding the {server.Name} server (pid {server.Pid}) for {settings.HoldSeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(settings.HoldSeconds, 3600)));
        }
    }

    public static double Elapsed(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;
}
