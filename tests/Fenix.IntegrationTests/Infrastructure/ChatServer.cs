using Xunit;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>The Chat sample as its own process, as shipped (WebSockets below the HTTP stack), shared by a test class.</summary>
public class ChatServer : IAsyncLifetime
{
    private readonly string[] _arguments;

    public ChatServer()
        : this([])
    {
    }

    /// <param name="arguments">Extra command-line arguments of the sample (its opt-in flags).</param>
    protected ChatServer(string[] arguments) => _arguments = arguments;

    public ServerProcess Process { get; private set; } = null!;

    public Uri BaseUri => Process.BaseUri;

    public async ValueTask InitializeAsync() => Process = await ServerProcess.StartAsync("Chat", null, _arguments);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The Chat sample with <c>--Chat:DirectWebSockets false</c>: its WebSockets on Kestrel's HTTP stack.</summary>
public sealed class HttpStackChatServer() : ChatServer(["--Chat:DirectWebSockets", "false"]);
