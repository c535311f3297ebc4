using System.CommandLine;
using Fenix.Bench.LoadGen;
using Fenix.Bench.Orchestration;
using Fenix.Bench.Scenarios;

namespace Fenix.Bench.Cli;

/// <summary>
/// The command line: <c>&lt;scenario&gt; --server fenix|signalr|kestrel-ws [--compare] [--quick] [--json FILE]</c>,
/// <c>report</c> to merge result files, and the hidden <c>loadgen</c> mode the tool starts itself in.
/// </summary>
internal static class BenchCommands
{
    private static readonly Option<string> Server = new Option<string>("--server", "-s")
    {
        Description = "The server under test.",
        DefaultValueFactory = _ => "fenix",
    }.AcceptOnlyFromAmong("fenix", "signalr", "kestrel-ws");

    private static readonly Option<bool> Compare = new("--compare") { Description = "Run every server in turn (fenix, signalr, kestrel-ws) and print ratios." };
    private static readonly Option<bool> Quick = new("--quick") { Description = "Small sizes: all servers in under a minute." };
    private static readonly Option<string?> Json = new("--json") { Description = "Write the results as JSON to this file." };
    private static readonly Option<string?> Svg = new("--svg") { Description = "Draw the results as an SVG chart to this file." };

    private static readonly Option<string> Gc = new Option<string>("--gc")
    {
        Description = "GC of every server under test: server (concurrent, ASP.NET Core's default) or workstation (non-concurrent).",
        DefaultValueFactory = _ => "server",
    }.AcceptOnlyFromAmong("server", "workstation");

    private static readonly Option<string?> Trace = new("--trace") { Description = "Record an EventPipe trace of the server (CPU samples, allocations, contention) to FILE-<server>.nettrace." };
    private static readonly Option<int> Hold = new("--hold") { Description = "Keep the server and its connections this many seconds after measuring (to attach a profiler).", Hidden = true };
    private static readonly Option<int> LoadGens = new("--loadgens") { Description = "Load generator processes (at least; one per 19,000 connections).", DefaultValueFactory = _ => 2 };
    private static readonly Option<int?> Connections = new("--connections", "-n") { Description = "Connections (fanout: subscribers; presence: users)." };
    private static readonly Option<int?> Messages = new("--messages", "-m") { Description = "fanout: broadcasts in the burst." };
    private static readonly Option<int?> Size = new("--size") { Description = "Message size in bytes." };
    private static readonly Option<double?> PacedRate = new("--paced-rate") { Description = "fanout: broadcasts per second in the latency phase." };
    private static readonly Option<int?> PacedMessages = new("--paced-messages") { Description = "fanout: broadcasts in the latency phase." };
    private static readonly Option<int?> Rooms = new("--rooms") { Description = "chat: rooms." };
    private static readonly Option<int?> Members = new("--members") { Description = "chat: members per room." };
    private static readonly Option<double?> Rate = new("--rate") { Description = "chat: messages per second per member." };
    private static readonly Option<int?> CoalesceMs = new("--coalesce-ms") { Description = "presence: diff coalescing window of the second run (ms)." };
    private static readonly Option<double?> Duration = new("--seconds") { Description = "chat: seconds of sending." };

    public static RootCommand Build()
    {
        var root = new RootCommand("Fenix benchmarks: Fenix vs ASP.NET Core SignalR vs a bare Kestrel WebSocket, each in its own process.");
        root.Add(ScenarioCommand(new IdleScenario(), "Memory per held, joined connection and the connect+join rate.", Connections));
        root.Add(ScenarioCommand(new FanoutScenario(), "One topic, many subscribers, server-side broadcasts.", Connections, Messages, Size, PacedRate, PacedMessages));
        root.Add(ScenarioCommand(new ChatScenario(), "Rooms whose members all send; each message goes to the other members.", Rooms, Members, Rate, Duration, Size));
        root.Add(ScenarioCommand(new PresenceScenario(), "Fenix only: users joining one presence room until every client agrees on the list, without and with diff coalescing.", Connections, CoalesceMs));
        root.Add(ReportCommand());

        var loadgen = new Command("loadgen", "Internal: a load generator driven over standard input/output.") { Hidden = true };
        loadgen.SetAction((_, _) => LoadGenMain.RunAsync());
        root.Add(loadgen);
        return root;
    }

    private static Command ScenarioCommand(IScenario scenario, string description, params Option[] sizes)
    {
        var command = new Command(scenario.Name, description) { Server, Compare, Quick, Json, Svg, Gc, LoadGens, Trace, Hold };
        foreach (var option in sizes)
        {
            command.Add(option);
        }

        command.SetAction((parse, _) =>
        {
            var settings = new ScenarioSettings
            {
                Quick = parse.GetValue(Quick),
                Gc = parse.GetValue(Gc) == "workstation" ? GcMode.Workstation : GcMode.Server,
                LoadGens = Math.Max(1, parse.GetValue(LoadGens)),
                TracePath = parse.GetValue(Trace),
                HoldSeconds = parse.GetValue(Hold),
                Connections = parse.GetValue(Connections),
                Messages = parse.GetValue(Messages),
                Size = parse.GetValue(Size),
                PacedRate = parse.GetValue(PacedRate),
                PacedMessages = parse.GetValue(PacedMessages),
                Rooms = parse.GetValue(Rooms),
                Members = parse.GetValue(Members),
                Rate = parse.GetValue(Rate),
                Duration = parse.GetValue(Duration),
                CoalesceMs = parse.GetValue(CoalesceMs),
            };
            var server = parse.GetValue(Server)!;
            IReadOnlyList<string> servers = parse.GetValue(Compare) ? scenario.Servers : [server];
            if (!scenario.Servers.Contains(server) && !parse.GetValue(Compare))
            {
                Console.Error.WriteLine($"The {scenario.Name} scenario runs on {string.Join(", ", scenario.Servers)} only.");
                return Task.FromResult(2);
            }

            return BenchRunner.RunAsync(scenario, servers, settings, parse.GetValue(Json), parse.GetValue(Svg));
        });
        return command;
    }

    private static Command ReportCommand()
    {
        var inputs = new Argument<string[]>("files") { Description = "Result files written with --json." };
        var title = new Option<string>("--title") { DefaultValueFactory = _ => "Fenix vs SignalR vs bare Kestrel WebSocket" };
        var command = new Command("report", "Merge result files into one table (Markdown) and chart (--svg).") { inputs, Svg, title };
        command.SetAction((parse, _) => BenchRunner.ReportAsync(parse.GetValue(inputs) ?? [], parse.GetValue(Svg), parse.GetValue(title)!));
        return command;
    }
}
