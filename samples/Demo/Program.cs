using Demo;
using Demo.Dispatch;
using Demo.Pointing;
using Demo.Training;
using Microsoft.AspNetCore.Rewrite;
using Microsoft.Extensions.FileProviders;

var builder = WebApplication.CreateBuilder(args);
// Like the Chat: --Fenix:RabbitMQ amqp://… or --Fenix:Redis host:port (with a distinct --Fenix:Node) joins a cluster.
builder.Services.AddFenix().AddPresence().AddRabbitMQ().AddRedis();
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
