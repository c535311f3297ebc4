using Fenix;
using Fenix.Bench.FenixServer;
using Fenix.Bench.ServerKit;

// Fenix under test: the scenarios' channels on one socket at /socket (the JS client's path), broadcasts through IFenixBroadcaster.
var builder = BenchServer.CreateBuilder(args);

// Bench:DirectWebSockets serves the WebSockets on UseFenixWebSockets (below Kestrel's HTTP stack): the fenix-direct server.
if (builder.Configuration.GetValue<bool>("Bench:DirectWebSockets"))
{
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.UseFenixWebSockets()));
}
// With --Fenix:RabbitMQ amqp://… or --Fenix:Redis host:port (and --Fenix:Node) the node joins a cluster (the cluster
// scenario); else a single node.
// Bench:History keeps a history of the fanout and chat topics (docs/history.md), to measure what numbering and storing
// every broadcast costs (fanout --server fenix --server-env Bench__History=true).
var history = builder.Configuration.GetValue<bool>("Bench:History");
var fenix = builder.Services.AddFenix(options =>
{
    if (history)
    {
        options.History.Topic("fanout:*", size: 1000).Topic("chat:*", size: 1000);
    }
}).AddRabbitMQ().AddRedis();

// Presence only for the presence scenario (its tracker runs timers and would be measured in the others).
// Bench:PresenceCoalesceMs > 0 coalesces each room's presence_diff broadcasts over that window.
if (builder.Configuration.GetValue<bool>("Bench:Presence"))
{
    var coalesce = builder.Configuration.GetValue<int>("Bench:PresenceCoalesceMs");
    fenix.AddPresence(options =>
    {
        if (coalesce > 0)
        {
            options.CoalesceDiffs("presence:*", TimeSpan.FromMilliseconds(coalesce));
        }
    });
}

builder.Services.AddSingleton<IBenchPublisher>(provider => new FenixPublisher(provider.GetRequiredService<IFenixBroadcaster>()));
builder.Services.AddSingleton<IBenchCounterSource, AdapterCounters>();

var app = builder.Build();
app.MapFenixSocket<BenchSocket>("/socket", socket => socket.CheckOrigin = OriginCheck.Disabled);
app.MapBenchEndpoints("fenix");
app.Run();
