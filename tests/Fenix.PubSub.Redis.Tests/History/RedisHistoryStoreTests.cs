using System.Text;
using Fenix.PubSub.History;
using Fenix.PubSub.Redis.History;
using Fenix.Testing.Redis;
using Xunit;

namespace Fenix.PubSub.Redis.Tests.History;

/// <summary>
/// The cluster's history store on a real Redis of this class's own (no persistence; the tests restart it): the counter
/// and stream per topic, epochs, reads, two nodes appending to one topic, and an outage.
/// </summary>
public sealed class RedisHistoryStoreTests : IAsyncLifetime
{
    private static readonly HistoryLimits Limits = new(1000, TimeSpan.FromMinutes(10));
    private OwnedRedisServer _redis = null!;

    public async ValueTask InitializeAsync() => _redis = await OwnedRedisServer.StartNewAsync();

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Appends_are_numbered_by_one_per_message_and_reads_answer_since_and_last()
    {
        await using var store = await StoreAsync();
        var first = await store.AppendAsync("t:a", Data("1"), Limits, newEpoch: false);
        var second = await store.AppendAsync("t:a", Data("2"), Limits, newEpoch: false);
        var other = await store.AppendAsync("t:b", Data("x"), Limits, newEpoch: false);
        Assert.Equal(1, first.Offset);
        Assert.Equal(new HistoryPosition(first.Epoch, 2), second);
        Assert.Equal(1, other.Offset);
        Assert.True(HistoryEpoch.IsValid(first.Epoch));

        var since = await store.ReadAsync("t:a", new HistoryQuery(first, 0, 10));
        Assert.Equal(HistorySliceKind.Since, since.Kind);
        Assert.Equal((first.Epoch, 2L), (since.Epoch, since.Top));
        Assert.Equal(["2"], since.Entries.Select(Text));

        var last = await store.ReadAsync("t:a", new HistoryQuery(null, 5, 5));
        Assert.Equal(HistorySliceKind.Last, last.Kind);
        Assert.Equal([1L, 2L], last.Entries.Select(e => e.Offset)); // oldest first, whatever order Redis answered in

        var future = await store.ReadAsync("t:a", new HistoryQuery(new HistoryPosition(first.Epoch, 9), 0, 10));
        Assert.Equal(HistorySliceKind.None, future.Kind);
        Assert.Null((await store.ReadAsync("t:none", HistoryQuery.Top)).Epoch);
    }

    [Fact]
    public async Task A_forced_epoch_restarts_the_offsets_and_StartEpoch_creates_a_stream_once()
    {
        await using var store = await StoreAsync();
        var created = await store.StartEpochAsync("t:e", Limits, force: false);
        Assert.Equal(0, created.Offset);
        Assert.Equal(created, await store.StartEpochAsync("t:e", Limits, force: false));
        var one = await store.AppendAsync("t:e", Data("1"), Limits, newEpoch: false);
        Assert.Equal(new HistoryPosition(created.Epoch, 1), one);

        var restarted = await store.AppendAsync("t:e", Data("2"), Limits, newEpoch: true);
        Assert.NotEqual(created.Epoch, restarted.Epoch);
        Assert.True(HistoryEpoch.Compare(restarted.Epoch, created.Epoch) > 0);
        Assert.Equal(1, restarted.Offset);
        var old = await store.ReadAsync("t:e", new HistoryQuery(one, 0, 10));
        Assert.Equal(HistorySliceKind.None, old.Kind); // a position of the old epoch reads nothing
    }

    [Fact]
    public async Task Two_nodes_appending_to_one_topic_share_one_sequence()
    {
        await using var node1 = await StoreAsync();
        await using var node2 = await StoreAsync();
        var appends = new List<Task<HistoryPosition>>();
        for (var i = 0; i < 200; i++)
        {
            appends.Add(node1.AppendAsync("t:shared", Data($"a{i}"), Limits, newEpoch: false).AsTask());
            appends.Add(node2.AppendAsync("t:shared", Data($"b{i}"), Limits, newEpoch: false).AsTask());
        }

        var positions = await Task.WhenAll(appends);
        Assert.Single(positions.Select(p => p.Epoch).Distinct());
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), positions.Select(p => p.Offset).Order());
        var node1Offsets = positions.Where((_, i) => i % 2 == 0).Select(p => p.Offset).ToList();
        Assert.Equal(node1Offsets.Order(), node1Offsets); // one caller's appends are numbered in call order
    }

    [Fact]
    public async Task A_Redis_that_lost_its_data_gives_a_new_epoch_and_while_it_is_down_appends_fail_at_once()
    {
        await using var store = await StoreAsync();
        var before = await store.AppendAsync("t:r", Data("1"), Limits, newEpoch: false);

        await _redis.KillAsync();
        await Assert.ThrowsAnyAsync<Exception>(async () => await store.AppendAsync("t:r", Data("lost"), Limits, newEpoch: false));
        await Assert.ThrowsAnyAsync<Exception>(async () => await store.ReadAsync("t:r", HistoryQuery.Top));

        await _redis.StartAsync(); // no persistence: the counter and stream are gone
        HistoryPosition? after = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (after is null)
        {
            try
            {
                after = await store.AppendAsync("t:r", Data("2"), Limits, newEpoch: false);
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100); // the client reconnects on its own schedule
            }
        }

        Assert.NotEqual(before.Epoch, after.Value.Epoch);
        Assert.Equal(1, after.Value.Offset);
        Assert.Equal(HistorySliceKind.None, (await store.ReadAsync("t:r", new HistoryQuery(before, 0, 10))).Kind);
    }

    private async Task<RedisHistoryStore> StoreAsync()
    {
        var store = new RedisHistoryStore(new RedisAdapterOptions { Configuration = _redis.Configuration, Prefix = "hist-test" }, TimeSpan.FromHours(1));
        await store.StartAsync(CancellationToken.None);
        return store;
    }

    private static byte[] Data(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(HistoryEntry entry) => Encoding.UTF8.GetString(entry.Data.Span);
}
