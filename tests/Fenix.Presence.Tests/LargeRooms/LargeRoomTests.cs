using System.Diagnostics;
using Fenix.Presence.Tests.Support;
using Xunit;

namespace Fenix.Presence.Tests.LargeRooms;

/// <summary>
/// Ten thousand presences end to end (track, list, serialize, transfer to a new node), with the figures printed to the
/// test output for information. Speed is measured in bench/, not asserted here.
/// </summary>
public sealed class LargeRoomTests
{
    [Fact]
    public async Task Ten_thousand_presences_are_tracked_listed_and_transferred_to_a_new_node()
    {
        await using var net = new TestNetwork();
        var a = await net.StartAsync("a");
        var owners = Enumerable.Range(0, 10_000).Select(i => a.Presence.CreateOwner($"c{i}", CancellationToken.None)).ToArray();

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await a.Presence.TrackAsync(owners[i], "rooms:big", $"user{i}", new { online_at = "1700000000", device = "browser" }));
        var trackMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        var list = await a.Presence.ListAsync("rooms:big");
        var listMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(list);
        var serializeMs = clock.Elapsed.TotalMilliseconds;

        await net.RunAsync(net.Period * 2); // the delta leaves a
        var b = await net.StartAsync("b");
        clock.Restart();
        await net.GossipAsync();
        var transferMs = clock.Elapsed.TotalMilliseconds;
        var onB = await b.Presence.ListAsync("rooms:big");

        Assert.Equal(10_000, list.Count);
        Assert.Equal(10_000, onB.Count);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"track 10,000: {trackMs:F0} ms ({10_000 / trackMs * 1000:F0}/s); list: {listMs:F1} ms; serialize presence_state: {serializeMs:F1} ms, {json.Length / 1024} KB; "
            + $"new node converged (transfer + 25 gossip periods): {transferMs:F0} ms");
    }
}
