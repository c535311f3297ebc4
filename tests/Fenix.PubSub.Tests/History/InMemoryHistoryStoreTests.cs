using System.Text;
using Fenix.PubSub.History;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Fenix.PubSub.Tests.History;

/// <summary>The single-node store on a fake clock: offsets, limits (size, ttl, bytes), epochs, reads.</summary>
public sealed class InMemoryHistoryStoreTests
{
    private static readonly HistoryLimits Limits = new(100, TimeSpan.FromMinutes(10));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Offsets_grow_by_one_per_message_within_an_epoch_and_topics_are_independent()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), _clock);
        var a1 = store.Append("a", Data("1"), Limits);
        var a2 = store.Append("a", Data("2"), Limits);
        var b1 = store.Append("b", Data("x"), Limits);
        Assert.Equal(1, a1.Offset);
        Assert.Equal(2, a2.Offset);
        Assert.Equal(a1.Epoch, a2.Epoch);
        Assert.Equal(1, b1.Offset);

        var slice = store.Read("a", new HistoryQuery(a1, 0, 10));
        Assert.Equal(HistorySliceKind.Since, slice.Kind);
        Assert.Equal(2, slice.Top);
        Assert.Equal([2L], slice.Entries.Select(e => e.Offset));
        Assert.Equal("2", Text(slice.Entries[0]));
    }

    [Fact]
    public void A_stream_keeps_its_last_size_messages_and_a_recovery_from_before_them_sees_the_hole()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), _clock);
        var limits = new HistoryLimits(3, TimeSpan.FromMinutes(10));
        var first = store.Append("t", Data("1"), limits);
        for (var i = 2; i <= 5; i++)
        {
            store.Append("t", Data(i.ToString()), limits);
        }

        var slice = store.Read("t", new HistoryQuery(first, 0, 10));
        Assert.Equal(5, slice.Top);
        Assert.Equal([3L, 4L, 5L], slice.Entries.Select(e => e.Offset)); // 2 is gone: the reader sees the first is 3, not 2

        var last = store.Read("t", new HistoryQuery(null, 2, 10));
        Assert.Equal(HistorySliceKind.Last, last.Kind);
        Assert.Equal(["4", "5"], last.Entries.Select(Text));
    }

    [Fact]
    public void Entries_older_than_the_ttl_go_at_the_next_append()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), _clock);
        var limits = new HistoryLimits(100, TimeSpan.FromSeconds(30));
        var first = store.Append("t", Data("old"), limits);
        _clock.Advance(TimeSpan.FromSeconds(31));
        var second = store.Append("t", Data("new"), limits);
        Assert.Equal(first.Epoch, second.Epoch); // trimming by age keeps offsets contiguous: no new epoch
        var slice = store.Read("t", new HistoryQuery(new HistoryPosition(first.Epoch, 0), 0, 10));
        Assert.Equal([2L], slice.Entries.Select(e => e.Offset));
    }

    [Fact]
    public void The_byte_budget_evicts_the_oldest_entries_of_all_topics_and_counts_them()
    {
        var entry = 100 + InMemoryHistoryStore.EntryOverheadBytes;
        var budget = (2 * InMemoryHistoryStore.StreamOverheadBytes) + 8 + (10 * entry); // two one-letter topics, ten entries
        var store = new InMemoryHistoryStore(Math.Max(1024, budget), TimeSpan.FromDays(1), _clock);
        var payload = new byte[100];
        for (var i = 0; i < 6; i++)
        {
            store.Append("a", payload, Limits);
            store.Append("b", payload, Limits);
        }

        Assert.True(store.Bytes <= Math.Max(1024, budget), $"{store.Bytes} bytes held");
        Assert.True(store.Evictions >= 2, $"{store.Evictions} evictions");
        var a = store.Read("a", new HistoryQuery(null, 100, 100));
        var b = store.Read("b", new HistoryQuery(null, 100, 100));
        Assert.Equal(6, a.Top);
        Assert.Equal(6, b.Top);
        Assert.Equal(6, a.Entries[^1].Offset); // the newest stay
        Assert.True(a.Entries[0].Offset > 1 && b.Entries[0].Offset > 1, "the oldest of both topics went first");
    }

    [Fact]
    public void A_new_epoch_drops_the_entries_and_restarts_offsets_and_sorts_after_the_old_one()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), _clock);
        var old = store.Append("t", Data("1"), Limits);
        var restarted = store.Append("t", Data("2"), Limits, newEpoch: true);
        Assert.NotEqual(old.Epoch, restarted.Epoch);
        Assert.True(HistoryEpoch.Compare(restarted.Epoch, old.Epoch) > 0);
        Assert.Equal(1, restarted.Offset);

        var read = store.Read("t", new HistoryQuery(new HistoryPosition(old.Epoch, 0), 0, 10));
        Assert.Equal(HistorySliceKind.None, read.Kind); // another epoch: nothing to read after that position
        Assert.Equal(restarted.Epoch, read.Epoch);
    }

    [Fact]
    public void A_topic_idle_for_longer_than_the_retention_loses_its_stream()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromMinutes(1), _clock);
        var old = store.Append("idle", Data("1"), Limits);
        _clock.Advance(TimeSpan.FromMinutes(2));
        store.Append("other", Data("x"), Limits); // appends sweep idle streams
        Assert.Null(store.Read("idle", HistoryQuery.Top).Epoch);
        var again = store.Append("idle", Data("2"), Limits);
        Assert.NotEqual(old.Epoch, again.Epoch);
        Assert.Equal(1, again.Offset);
    }

    [Fact]
    public async Task StartEpoch_gives_a_topic_a_stream_once_and_a_forced_one_moves_it_on()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), _clock);
        var created = await store.StartEpochAsync("t", Limits, force: false);
        Assert.Equal(0, created.Offset);
        Assert.Equal(created, await store.StartEpochAsync("t", Limits, force: false));
        var first = store.Append("t", Data("1"), Limits);
        Assert.Equal(new HistoryPosition(created.Epoch, 1), first);
        var forced = await store.StartEpochAsync("t", Limits, force: true);
        Assert.NotEqual(created.Epoch, forced.Epoch);
        Assert.Equal(0, forced.Offset);
    }

    [Fact]
    public void Reads_answer_the_since_window_then_the_last_entries_then_nothing()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), _clock);
        HistoryPosition top = default;
        for (var i = 1; i <= 10; i++)
        {
            top = store.Append("t", Data(i.ToString()), Limits);
        }

        // A recovery (Last > 0) that would need more than MaxCount entries gets the last ones instead.
        var tooFar = store.Read("t", new HistoryQuery(new HistoryPosition(top.Epoch, 2), 3, 5));
        Assert.Equal(HistorySliceKind.Last, tooFar.Kind);
        Assert.Equal([8L, 9L, 10L], tooFar.Entries.Select(e => e.Offset));

        // A window read (Last 0) takes the first MaxCount entries after the position.
        var window = store.Read("t", HistoryQuery.After(top.Epoch, 2, 3));
        Assert.Equal([3L, 4L, 5L], window.Entries.Select(e => e.Offset));

        // A future position is not read as a since.
        var future = store.Read("t", new HistoryQuery(new HistoryPosition(top.Epoch, 11), 0, 5));
        Assert.Equal(HistorySliceKind.None, future.Kind);
        Assert.Empty(store.Read("nothing", new HistoryQuery(null, 5, 5)).Entries);
    }

    [Fact]
    public void Appending_copies_the_callers_buffer()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), _clock);
        var buffer = Encoding.UTF8.GetBytes("abc");
        store.Append("t", buffer, Limits);
        buffer[0] = (byte)'z';
        Assert.Equal("abc", Text(store.Read("t", new HistoryQuery(null, 1, 1)).Entries[0]));
    }

    [Fact]
    public void Concurrent_appends_to_one_topic_get_distinct_contiguous_offsets()
    {
        var store = new InMemoryHistoryStore(64 << 20, TimeSpan.FromDays(1), _clock);
        var offsets = new long[4][];
        Parallel.For(0, 4, w => offsets[w] = [.. Enumerable.Range(0, 500).Select(_ => store.Append("t", Data("m"), new HistoryLimits(10_000, TimeSpan.FromMinutes(1))).Offset)]);
        var all = offsets.SelectMany(o => o).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), all);
        Assert.All(offsets, o => Assert.True(o.SequenceEqual(o.Order()), "each caller's appends are numbered in call order"));
    }

    private static byte[] Data(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(HistoryEntry entry) => Encoding.UTF8.GetString(entry.Data.Span);
}
