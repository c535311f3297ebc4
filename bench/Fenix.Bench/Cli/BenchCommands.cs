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
        Description = "The server under test (or several, comma-separated, run side by side): the bench servers, fenix-history (the Fenix bench server with history on its topics; fanout, paced, chat), fenix-direct (the Fenix bench server with its WebSockets on UseFenixWebSockets, below the HTTP stack; idle), or chat (samples/Chat as shipped, the independent harness's server).",
        DefaultValueFactory = _ => "fenix",
        Validators =
        {
            result =>
            {
                var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(s => s is not ("fenix" or "fenix-history" or "fenix-direct" or "signalr" or "kestrel-ws" or "chat")) is { } bad)
                {
                    result.AddError($"Unknown server '{bad}': fenix, fenix-history, fenix-direct, signalr, kestrel-ws or chat (comma-separated for several).");
                }
            },
        },
    };

    private static readonly Option<bool> Compare = new("--compare") { Description = "Run every server of the scenario in turn (fenix, chat, signalr, kestrel-ws) and print ratios." };
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
    private static readonly Option<double?> Warmup = new("--warmup") { Description = "chat: seconds of sending before the measured window (default 2; tiered compilation needs 15-20 s to finish the hot paths)." };
    private static readonly Option<double?> Duration = new("--seconds") { Description = "chat, paced: seconds of sending (paced: of the measured window)." };
    private static readonly Option<double?> PacedPublishRate = new("--rate") { Description = "paced: messages per second from the publisher." };
    private static readonly Option<string> Publisher = new Option<string>("--publisher")
    {
        Description = "paced: client (a member sends, as the harness does) or server (the server's own broadcast API).",
        DefaultValueFactory = _ => "client",
    }.AcceptOnlyFromAmong("client", "server");

    private static readonly Option<string> Client = new Option<string>("--client")
    {
        Description = "idle: how the load generators connect: lean (raw sockets, pre-encoded frames: the server's connect rate) or websocket (ClientWebSocket, as before).",
        DefaultValueFactory = _ => "lean",
    }.AcceptOnlyFromAmong("lean", "websocket");

    private static readonly Option<bool> NoJoin = new("--no-join") { Description = "idle: open the sockets only, join no topic (samples/Chat always: its one room tracks presence)." };
    private static readonly Option<bool> DefaultOnly = new("--default-only") { Description = "presence: only the run without coalescing." };
    private static readonly Option<int> Nodes = new("--nodes") { Description = "cluster: nodes (default: 4, or enough for 18,000 connections each)." };
    private static readonly Option<string> Backend = new Option<string>("--backend")
    {
        Description = "cluster: the pub/sub backend between the nodes (rabbitmq: the machine's broker; redis: one started for the run).",
        DefaultValueFactory = _ => "rabbitmq",
    }.AcceptOnlyFromAmong("rabbitmq", "redis");

    private static readonly Option<string?> Broker = new("--broker") { Description = "cluster, recovery: the broker's address (default amqp://guest:guest@127.0.0.1:5672/, or a fresh redis-server)." };
    private static readonly Option<int?> Broadcasts = new("--broadcasts") { Description = "cluster: broadcasts in the measured window." };
    private static readonly Option<double?> BroadcastRate = new("--broadcast-rate") { Description = "cluster: broadcasts per second." };
    private static readonly Option<string?> During = new("--during") { Description = "A shell command run over the measured window; {pid}, {server}, {seconds} are substituted (e.g. \"strace -c -f -p {pid} -o /tmp/{server}.strace\")." };
    private static readonly Option<string[]> ServerEnv = new("--server-env") { Description = "KEY=VALUE environment for every server process (repeatable), e.g. DOTNET_PerfMapEnabled=1.", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<int> Repeat = new("--repeat") { Description = "Run each server this many times (a fresh process each time), back to back.", DefaultValueFactory = _ => 1 };

    public static RootCommand Build()
    {
        var root = new RootCommand("Fenix benchmarks: Fenix vs ASP.NET Core SignalR vs a bare Kestrel WebSocket, each in its own process.");
        root.Add(ScenarioCommand(new IdleScenario(), "Memory per held connection (RSS, fresh server) and the connect(+join) rate.", Connections, NoJoin, Client));
        root.Add(ScenarioCommand(new FanoutScenario(), "One topic, many subscribers, server-side broadcasts.", Connections, Messages, Size, PacedRate, PacedMessages));
        root.Add(ScenarioCommand(new ChatScenario(), "Rooms whose members all send; each message goes to the other members.", Rooms, Members, Rate, Duration, Warmup, Size));
        root.Add(ScenarioCommand(new PresenceScenario(), "Users joining one presence room until every client agrees on the list (bench server: without and with diff coalescing; chat: samples/Chat as shipped).", Connections, CoalesceMs, DefaultOnly));
        root.Add(ScenarioCommand(new PacedScenario(), "One room of N members, one publisher at a steady rate: server CPU per delivered frame and latency in a steady window.", Connections, PacedPublishRate, Duration, Size, Publisher));
        root.Add(ScenarioCommand(new ClusterScenario(), "Several Fenix nodes behind one broker, one topic joined on all, broadcasts from node 0 reaching every connection.", Connections, Nodes, Backend, Broker, Broadcasts, BroadcastRate, Size));
        root.Add(ScenarioCommand(new RecoveryScenario(), "History recovery after a node restart behind Redis: N clients each missing M messages reconnect at once; time until all recovered, verified.", Connections, Messages, Size, Broker));
        root.Add(ReportCommand());

        var loadgen = new Command("loadgen", "Internal: a load generator driven over standard input/output.") { Hidden = true };
        loadgen.SetAction((_, _) => LoadGenMain.RunAsync());
        root.Add(loadgen);
        return root;
    }

    private static Command ScenarioCommand(IScenario scenario, string description, params Option[] sizes)
    {
        var command = new Command(scenario.Name, description) { Server, Compare, Quick, Json, Svg, Gc, LoadGens, Trace, Hold, During, ServerEnv, Repeat };
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
                Messages = scenario is ClusterScenario ? parse.GetValue(Broadcasts) : parse.GetValue(Messages),
                Size = parse.GetValue(Size),
                PacedRate = scenario is ClusterScenario ? parse.GetValue(BroadcastRate) : parse.GetValue(PacedRate),
                PacedMessages = parse.GetValue(PacedMessages),
                Rooms = parse.GetValue(Rooms),
                Members = parse.GetValue(Members),
                Rate = scenario is PacedScenario ? parse.GetValue(PacedPublishRate) : parse.GetValue(Rate),
                Duration = parse.GetValue(Duration),
                Warmup = parse.GetValue(Warmup),
                CoalesceMs = parse.GetValue(CoalesceMs),
                During = parse.GetValue(During),
                NoJoin = parse.GetValue(NoJoin),
                LeanClient = parse.GetValue(Client) != "websocket",
                Publisher = parse.GetValue(Publisher) ?? "client",
                DefaultOnly = parse.GetValue(DefaultOnly),
                Nodes = parse.GetValue(Nodes),
                Backend = parse.GetValue(Backend) ?? "rabbitmq",
                BrokerUri = parse.GetValue(Broker),
                Repeat = Math.Clamp(parse.GetValue(Repeat), 1, 10),
            };
            ServerUnderTest.ExtraEnvironment = parse.GetValue(ServerEnv) ?? [];
            var server = parse.GetValue(Server)!;
            // "--server fenix,kestrel-ws" runs a subset side by side (interleaved with --repeat), like --compare does for all.
            var named = server.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            IReadOnlyList<string> servers = parse.GetValue(Compare) ? scenario.Servers : named;
            if (!parse.GetValue(Compare) && named.FirstOrDefault(s => !scenario.Servers.Contains(s) && !scenario.NamedOnlyServers.Contains(s)) is not null)
            {
                Console.Error.WriteLine($"The {scenario.Name} scenario runs on {string.Join(", ", scenario.Servers.Concat(scenario.NamedOnlyServers))} only.");
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
        var phoenixSvg = new Option<string?>("--phoenix-svg")
        {
            Description = "Draw the runs that match issue 13's quoted Phoenix figures as an SVG chart to this file (Phoenix, Fenix before, Fenix now).",
        };
        var command = new Command("report", "Merge result files into one table (Markdown) and chart (--svg).") { inputs, Svg, phoenixSvg, title };
        command.SetAction((parse, _) => BenchRunner.ReportAsync(parse.GetValue(inputs) ?? [], parse.GetValue(Svg), parse.GetValue(phoenixSvg), parse.GetValue(title)!));
        return command;
    }
}
