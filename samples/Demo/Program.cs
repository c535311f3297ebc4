using Demo;
using Demo.Dispatch;
using Demo.Pointing;
using Demo.Training;
using Microsoft.AspNetCore.Rewrite;
using Microsoft.Extensions.FileProviders;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// `--self-signed-https` serves HTTPS with a certificate made at start (see README.md and SelfSignedHttps.cs).
var selfSignedHttps = SelfSignedHttps.TakeFlag(ref args);
var builder = WebApplication.CreateBuilder(args);
if (selfSignedHttps)
{
    var certificate = SelfSignedHttps.CreateCertificate();
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
    if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    {
        builder.WebHost.UseUrls(SelfSignedHttps.DefaultUrl);
    }
}

// Like the Chat: --Fenix:RabbitMQ amqp://… or --Fenix:Redis host:port (with a distinct --Fenix:Node) joins a cluster.
// The Chat's lobby keeps its last 1,000 messages for 10 minutes (docs/history.md): a page whose connection drops gets what
// it missed when it is back, a page that opens shows the last messages. In a cluster the history lives in Redis
// (--Fenix:Redis, or --Fenix:History:Redis beside RabbitMQ; a RabbitMQ cluster without either keeps none, as history
// needs one store every node shares); --Chat:History false turns it off.
var config = builder.Configuration;
var historyStoreShared = config["Fenix:RabbitMQ"] is null || config.GetSection("Fenix:Redis").Exists() || config.GetSection("Fenix:History:Redis").Exists();
builder.Services.AddFenix(options =>
{
    if (config.GetValue("Chat:History", defaultValue: true) && historyStoreShared)
    {
        options.History.Topic(Chat.RoomChannel.Lobby, size: 1000, ttl: TimeSpan.FromMinutes(10));
    }
}).AddPresence().AddRabbitMQ().AddRedis().AddDashboard();
builder.Services.AddDemoApps();

// Observability: Prometheus scrapes /metrics; traces go to an OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set.
var otel = builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddFenixInstrumentation().AddPrometheusExporter())
    .WithTracing(tracing => tracing.AddFenixInstrumentation());
if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    otel.UseOtlpExporter();
}

builder.Services.AddHealthChecks().AddFenixHealthChecks();

// The dashboard lists topics and who is present: the Demo opens it to this machine only (a real app names its own policy).
builder.Services.AddAuthorization(options => options.AddPolicy(DemoPolicies.LocalOnly, DemoPolicies.RequireLoopback));

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

app.MapFenixDashboard("/fenix").RequireAuthorization(DemoPolicies.LocalOnly);
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapHealthChecks("/health");

app.Run();
