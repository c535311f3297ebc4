using Chat;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddFenix().AddPresence();

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapFenixSocket<UserSocket>("/socket", socket => socket.LongPoll.Enabled = true);
app.Run();

/// <summary>Lets integration tests start the sample in-process.</summary>
public partial class Program;
