using System.Text.Json;
using Fenix.Presence.Sharding;
using Fenix.Presence.Tests.Support;
using Xunit;

namespace Fenix.Presence.Tests.Sharding;

/// <summary>
/// The shard keeps a big topic's last snapshot as the next one's encoding base, and lets it go once the topic empties
/// (an emptied room that is never read again must not keep its last crowd alive).
/// </summary>
public sealed class ShardEncodingBaseTests : IAsyncLifetime
{
    private const string Topic = "rooms:big";
    private static readonly JsonSerializerOptions Json = new();
    private readonly TestNetwork _net = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _net.DisposeAsync();

    [Fact]
    public async Task A_growing_room_extends_its_last_encoded_snapshot()
    {
        var node = await _net.StartAsync("a");
        var first = await EncodedSnapshotOfCrowdAsync(node, "first");

        await TrackCrowdAsync(node, "second");
        var second = await node.Shard.SnapshotAsync(Topic);

        Assert.Same(first, second.EncodingBase);
    }

    [Fact]
    public async Task A_room_that_emptied_forgets_its_last_snapshot()
    {
        var node = await _net.StartAsync("a");
        _ = await EncodedSnapshotOfCrowdAsync(node, "first");
        for (var i = 0; i < TrackerShard.MinEncodingBase; i++)
        {
            await node.Presence.UntrackAsync(Topic, $"first{i}");
        }

        await TrackCrowdAsync(node, "second");
        var second = await node.Shard.SnapshotAsync(Topic);

        Assert.Null(second.EncodingBase);
    }

    /// <summary>A snapshot of a crowd just big enough to become the topic's encoding base, encoded (which drops its own base).</summary>
    private static async Task<PresenceSnapshot> EncodedSnapshotOfCrowdAsync(TestNode node, string prefix)
    {
        await TrackCrowdAsync(node, prefix);
        var snapshot = await node.Shard.SnapshotAsync(Topic);
        _ = snapshot.Encode(Json);
        return snapshot;
    }

    private static async Task TrackCrowdAsync(TestNode node, string prefix)
    {
        for (var i = 0; i < TrackerShard.MinEncodingBase; i++)
        {
            await node.Presence.TrackAsync(Topic, $"{prefix}{i}", new { i });
        }
    }
}
