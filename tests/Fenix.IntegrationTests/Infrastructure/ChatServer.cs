using Xunit;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>The Chat sample as its own process, shared by a test class.</summary>
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

/// <summary>The Chat sample with its opt-in <c>--Chat:DirectWebSockets true</c> (WebSockets on UseFenixWebSockets).</summary>
public sealed class DirectChatServer() : ChatServer(["--Chat:DirectWebSockets", "true"]);
