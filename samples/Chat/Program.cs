using Chat;

var builder = WebApplication.CreateBuilder(args);
// With --Fenix:RabbitMQ amqp://… or --Fenix:Redis host:port (and a distinct --Fenix:Node per process) the server joins a
// cluster; without either, a single node. Presence timing may come from configuration as well
// (e.g. --Fenix:Presence:DownPeriod 00:00:05); every node should agree on it.
// --Chat:History true keeps the lobby's last 1,000 messages for 10 minutes, so that clients that reconnect get what they
// missed (docs/history.md): in this process, or in the cluster's Redis; a RabbitMQ cluster names a Redis for history
// with --Fenix:History:Redis host:port. Off by default: the Chat's frames stay Phoenix's.
builder.Services.AddFenix(options =>
{
    if (builder.Configuration.GetValue<bool>("Chat:History"))
    {
        options.History.Topic(RoomChannel.Lobby, size: 1000, ttl: TimeSpan.FromMinutes(10));
    }
}).AddPresence().AddRabbitMQ().AddRedis();

// The WebSockets are served below Kestrel's HTTP stack (UseFenixWebSockets: about 8 KB less per open connection, and
// cheaper connects; docs/guide.md, "Direct WebSockets"): the sample has no middleware that WebSocket requests would
// need. Pages, long poll and every frame are the same either way; --Chat:DirectWebSockets false keeps them on the
// HTTP stack.
if (builder.Configuration.GetValue("Chat:DirectWebSockets", defaultValue: true))
{
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.UseFenixWebSockets()));
}

var app = builder.Build();

// Nodes of one machine started together share one Data Protection key (long-poll tokens verify on every node).
await SharedKeyRing.LoadAsync(app.Services);

app.UseDefaultFiles();
app.UseStaticFiles();
app.MapFenixSocket<UserSocket>("/socket", socket => socket.LongPoll.Enabled = true);
await app.RunAsync();

/// <summary>Lets integration tests start the sample in-process.</summary>
public partial class Program;
