using Fenix.Bench.KestrelWsServer;
using Fenix.Bench.ServerKit;

// The floor: ASP.NET Core's own WebSocket middleware holding connections, with no protocol on top. A connection names
// its topic in the query string (?topic=chat:1); text it sends is relayed as is to the others on that topic.
var builder = BenchServer.CreateBuilder(args);
builder.Services.AddSingleton<TopicSockets>();
builder.Services.AddSingleton<IBenchPublisher, KestrelWsPublisher>();

var app = builder.Build();
app.UseWebSockets();
app.Map("/ws", RelayEndpoint.HandleAsync);
app.MapBenchEndpoints("kestrel-ws");
app.Run();
