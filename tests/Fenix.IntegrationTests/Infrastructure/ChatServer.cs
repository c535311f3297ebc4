using Xunit;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>The Chat sample as its own process, shared by a test class.</summary>
public sealed class ChatServer : IAsyncLifetime
{
    public ServerProcess Process { get; private set; } = null!;

    public Uri BaseUri => Process.BaseUri;

    public async ValueTask InitializeAsync() => Process = await ServerProcess.StartAsync("Chat");

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}
