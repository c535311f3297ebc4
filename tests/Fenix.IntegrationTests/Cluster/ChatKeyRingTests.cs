using Fenix.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Xunit;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>
/// samples/Chat nodes of one machine share Data Protection's key folder and load it one at a time (SharedKeyRing), so
/// nodes started together end up with one key between them and verify each other's long-poll tokens for as long as they
/// run, instead of each creating a key of its own.
/// </summary>
public sealed class ChatKeyRingTests
{
    [Fact]
    public async Task A_node_waits_for_the_one_loading_the_key_ring_and_then_uses_the_key_it_wrote()
    {
        var home = Path.Combine(Path.GetTempPath(), $"fenix-test-keyring-{Guid.NewGuid():N}");
        var keys = Directory.CreateDirectory(Path.Combine(home, "ASP.NET", "DataProtection-Keys")); // below LOCALAPPDATA
        var environment = new Dictionary<string, string>
        {
            ["LOCALAPPDATA"] = home,
            ["Logging__LogLevel__Chat.SharedKeyRing"] = "Information",
        };
        var node = ServerProcess.Prepare("Chat", environment);
        try
        {
            Task starting;
            using (new FileStream(Path.Combine(keys.FullName, ".chat-key-ring.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            {
                // This test plays the node that got the lock first: the Chat node waits, and says so.
                starting = node.StartAsync();
                await WaitForOutputAsync(node, "Waiting for another process to load the Data Protection key ring");
                Assert.Empty(keys.GetFiles("key-*.xml"));
                DataProtectionProvider.Create(keys).CreateProtector("test").Protect([1]); // writes the first key
            }

            await starting;
            Assert.Single(keys.GetFiles("key-*.xml")); // the node found that key instead of creating its own
        }
        finally
        {
            await node.DisposeAsync();
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task WaitForOutputAsync(ServerProcess node, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!node.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"The node never said \"{text}\"; it printed: {node.Output}");
            await Task.Delay(20); // waiting for a condition: the node prints from its own process
        }
    }
}
