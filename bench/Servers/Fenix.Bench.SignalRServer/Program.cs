using Fenix.Bench.ServerKit;
using Fenix.Bench.SignalRServer;

// ASP.NET Core SignalR under test, as an application would write it: one hub, groups, the JSON hub protocol,
// default hub options. Clients connect straight to the WebSocket (the client's skipNegotiation), as Fenix's do.
var builder = BenchServer.CreateBuilder(args);
builder.Services.AddSignalR();
builder.Services.AddSingleton<IBenchPublisher, SignalRPublisher>();

var app = builder.Build();
app.MapHub<BenchHub>("/hub");
app.MapBenchEndpoints("signalr");
app.Run();
