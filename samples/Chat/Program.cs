using Chat;

var builder = WebApplication.CreateBuilder(args);
// With --Fenix:RabbitMQ amqp://… or --Fenix:Redis host:port (and a distinct --Fenix:Node per process) the server joins a
// cluster; without either, a single node. Presence timing may come from configuration as well
// (e.g. --Fenix:Presence:DownPeriod 00:00:05); every node should agree on it.
builder.Services.AddFenix().AddPresence().AddRabbitMQ().AddRedis();

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapFenixSocket<UserSocket>("/socket", socket => socket.LongPoll.Enabled = true);
app.Run();

/// <summary>Lets integration tests start the sample in-process.</summary>
public partial class Program;
