using Fenix;
using FenixApp;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddFenix().AddPresence();

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();

// The page asks for a token before it connects. A real app signs the id of the user it authenticated (cookie, JWT, ...);
// this one signs the name the visitor typed.
app.MapPost("/api/token", (TokenRequest request, FenixToken tokens) =>
    UserSocket.IsValidName(request.Name)
        ? Results.Ok(new { token = tokens.Sign(UserSocket.TokenSalt, request.Name.Trim()) })
        : Results.BadRequest(new { error = $"a name of 1 to {UserSocket.MaxNameLength} characters, please" }));

app.MapFenixSocket<UserSocket>("/socket", socket => socket.LongPoll.Enabled = true);

app.Run();

internal sealed record TokenRequest(string? Name);
