using Demo;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix.Samples.Tests.Support;

/// <summary>The Demo's services (Fenix, presence, the apps' stores) in the in-memory test kit, with patient timeouts.</summary>
public static class DemoHost
{
    public static ChannelTestHost Create() => new(services =>
    {
        services.AddFenix().AddPresence();
        services.AddDemoApps(withPager: false);
    })
    {
        // Generous: a loaded 2-core machine must not fail a test that is merely slow.
        AssertTimeout = TimeSpan.FromSeconds(30), // only bounds a failing assertion: a passing one returns at once
        RefuteTimeout = TimeSpan.FromMilliseconds(300),
    };

    /// <summary>
    /// Closes <paramref name="sockets"/> and waits until every presence of <paramref name="topic"/> has left, i.e. every
    /// channel that tracked one has ended, before the host is disposed. Disposing the host right away would stop the
    /// presence tracker under channels still running a callback (ChannelTestHost closes sockets without awaiting their
    /// channels), and the crash that follows would fail the test for a reason unrelated to it.
    /// </summary>
    public static async Task CloseAndSettleAsync(ChannelTestHost host, IEnumerable<TestSocket> sockets, string topic)
    {
        foreach (var socket in sockets)
        {
            await socket.CloseAsync();
        }

        var presence = host.Services.GetRequiredService<IPresence>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await presence.ListAsync(topic)).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }
}
