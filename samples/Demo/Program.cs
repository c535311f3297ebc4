using Demo;
using Demo.Dispatch;
using Demo.Pointing;
using Demo.Training;
using Microsoft.AspNetCore.Rewrite;
using Microsoft.Extensions.FileProviders;

var builder = WebApplication.CreateBuilder(args);
// Like the Chat: --Fenix:RabbitMQ amqp://… or --Fenix:Redis host:port (with a distinct --Fenix:Node) joins a cluster.
// The Chat's lobby keeps its last 1,000 messages for 10 minutes (docs/history.md): a page whose connection drops gets what
// it missed when it is back, a page that opens shows the last messages. In a cluster the history lives in Redis
// (--Fenix:Redis, or --Fenix:History:Redis beside RabbitMQ); --Chat:History false turns it off.
builder.Services.AddFenix(options =>
{
    if (builder.Configuration.GetValue("Chat:History", defaultValue: true))
    {
        options.History.Topic(Chat.RoomChannel.Lobby, size: 1000, ttl: TimeSpan.FromMinutes(10));
    }
}).AddPresence().AddRabbitMQ().AddRedis();
builder.Services.AddDemoApps();

var app = builder.Build();
app.UseRewriter(new RewriteOptions().AddRedirect("^(chat|pointing|dispatch|training)$", "$1/"));

// The pages: the Demo's wwwroot, plus the Chat's page files that Demo.csproj copies from samples/Chat into ChatPage/.
app.Environment.WebRootFileProvider = new CompositeFileProvider(
    app.Environment.WebRootFileProvider,
    new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "ChatPage")));
app.UseDefaultFiles();
app.UseStaticFiles();

// The Chat sample's socket and channels, unchanged (its page is at /chat/).
app.MapFenixSocket<Chat.UserSocket>("/socket", socket => socket.LongPoll.Enabled = true);
app.MapFenixSocket<PointingSocket>("/pointing/socket", socket => socket.LongPoll.Enabled = true);
app.MapFenixSocket<DispatchSocket>("/dispatch/socket", socket => socket.LongPoll.Enabled = true);
app.MapFenixSocket<TrainingSocket>("/training/socket", socket => socket.LongPoll.Enabled = true);
app.MapTrainingEndpoints();

app.Run();
