using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>
/// samples/Demo as its own process, shared by the Demo page tests. The dispatcher pages a hero every 2 s (instead of 5)
/// so that its test is short.
/// </summary>
public sealed class DemoServer : IAsyncLifetime
{
    public ServerProcess Process { get; private set; } = null!;

    public Uri BaseUri => Process.BaseUri;

    public Uri Page(string pathAndQuery) => new(BaseUri, pathAndQuery);

    public async ValueTask InitializeAsync() => Process = await ServerProcess.StartAsync("Demo", null, "--Dispatch:PagerInterval=00:00:02");

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}
