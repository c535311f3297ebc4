using System.Text;
using Fenix.AspNetCore.History;
using Fenix.PubSub.History;
using Xunit;

namespace Fenix.AspNetCore.Tests.History;

/// <summary>
/// Recoveries' store reads coalesced: identical reads that overlap share one, a caller never gets a read issued before
/// it asked, failures reach exactly the callers of the failed read, and a shared slice decodes each entry once. The
/// store's answers are completed by the test, in the order it chooses (no timing).
/// </summary>
public sealed class SharedReadsTests
{
    private const string Epoch = "0aaaaaaaa0000";
    private static readonly TimeSpan Wait = Patience.Default;
    private static readonly HistoryQuery Since3 = HistoryQuery.After(Epoch, 3, 100);

    [Fact]
    public async Task A_read_asked_while_the_same_read_is_in_flight_gets_the_next_one_shared_with_the_others_who_asked()
    {
        var store = new GatedStore();
        var reads = new SharedReads(() => store);

        var first = reads.ReadAsync("t", Since3);
        var second = reads.ReadAsync("t", Since3);
        var third = reads.ReadAsync("t", Since3);
        Assert.Equal(1, store.Calls); // the later two wait: the read in flight was issued before they asked

        store.Complete(0, Slice(4, 5));
        Assert.Equal([4L, 5L], (await first.WaitAsync(Wait)).Slice.Entries.Select(e => e.Offset));
        await store.WaitForCallsAsync(2); // the next read, issued after the first one ended
        Assert.False(second.IsCompleted);

        store.Complete(1, Slice(4, 5, 6));
        var a = await second.WaitAsync(Wait);
        var b = await third.WaitAsync(Wait);
        Assert.Same(a, b);
        Assert.Equal([4L, 5L, 6L], a.Slice.Entries.Select(e => e.Offset));

        _ = reads.ReadAsync("t", Since3); // nothing in flight now: a read of its own
        Assert.Equal(3, store.Calls);
    }

    [Fact]
    public async Task Different_topics_or_queries_are_never_shared()
    {
        var store = new GatedStore();
        var reads = new SharedReads(() => store);

        var one = reads.ReadAsync("t", Since3);
        var other = reads.ReadAsync("u", Since3);
        var later = reads.ReadAsync("t", HistoryQuery.After(Epoch, 4, 100));
        Assert.Equal(3, store.Calls);
        store.Complete(0, Slice(4));
        store.Complete(1, Slice(4));
        store.Complete(2, Slice(5));
        Assert.NotSame(await one.WaitAsync(Wait), await other.WaitAsync(Wait));
        Assert.Equal([5L], (await later.WaitAsync(Wait)).Slice.Entries.Select(e => e.Offset));
    }

    [Fact]
    public async Task A_failed_read_fails_its_callers_only_and_the_next_read_still_runs()
    {
        var store = new GatedStore();
        var reads = new SharedReads(() => store);

        var first = reads.ReadAsync("t", Since3);
        var second = reads.ReadAsync("t", Since3);
        store.Fail(0, new InvalidOperationException("store down"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(Wait));
        await store.WaitForCallsAsync(2);
        store.Complete(1, Slice(4));
        Assert.Equal([4L], (await second.WaitAsync(Wait)).Slice.Entries.Select(e => e.Offset));
    }

    [Fact]
    public async Task A_store_that_answers_at_once_is_read_by_every_caller()
    {
        var store = new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), TimeProvider.System);
        var reads = new SharedReads(() => store);
        for (var i = 0; i < 3; i++)
        {
            store.Append("t", Encoding.UTF8.GetBytes("x"), new HistoryLimits(10, TimeSpan.FromMinutes(1)), newEpoch: false);
        }

        var one = await reads.ReadAsync("t", HistoryQuery.Top);
        var two = await reads.ReadAsync("t", HistoryQuery.Top);
        Assert.NotSame(one, two);
        Assert.Equal(3, one.Slice.Top);
    }

    [Fact]
    public void A_shared_slice_decodes_each_of_its_entries_once_and_others_each_time()
    {
        var shared = new SharedSlice("t", Slice(4, 5));
        var four = shared.Slice.Entries[0];
        var message = shared.Decode(Epoch, four);
        Assert.Same(message, shared.Decode(Epoch, four));
        Assert.Equal($"{Epoch}:4", message.PositionRef);
        Assert.Equal("e4", message.Event);

        var outside = Entry(6);
        Assert.False(shared.Contains(Epoch, outside));
        Assert.NotSame(shared.Decode(Epoch, outside), shared.Decode(Epoch, outside));
        Assert.False(shared.Contains("0aaaaaaab0000", four)); // another epoch's offset 4 is another message
    }

    private static HistorySlice Slice(params long[] offsets) =>
        new(Epoch, offsets.Length == 0 ? 3 : offsets[^1], 0, HistorySliceKind.Since, offsets.Select(Entry).ToList());

    private static HistoryEntry Entry(long offset) =>
        new(offset, 0, HistoryService.Encode(new Broadcast("t", $"e{offset}", Payload.FromUtf8Json(Encoding.UTF8.GetBytes($"{{\"n\":{offset}}}")))));

    /// <summary>A store whose reads stay pending until the test completes them (by call number).</summary>
    private sealed class GatedStore : IHistoryStore
    {
        private readonly Lock _lock = new();
        private readonly List<TaskCompletionSource<HistorySlice>> _calls = [];
        private readonly SemaphoreSlim _called = new(0);

        public int Calls
        {
            get
            {
                lock (_lock)
                {
                    return _calls.Count;
                }
            }
        }

        public bool IsShared => true;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask<HistoryPosition> AppendAsync(string topic, ReadOnlyMemory<byte> data, HistoryLimits limits, bool newEpoch, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<HistoryPosition> StartEpochAsync(string topic, HistoryLimits limits, bool force, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<HistorySlice> ReadAsync(string topic, HistoryQuery query, CancellationToken cancellationToken = default)
        {
            var call = new TaskCompletionSource<HistorySlice>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _calls.Add(call);
            }

            _called.Release();

            return new ValueTask<HistorySlice>(call.Task);
        }

        public void Complete(int call, HistorySlice slice) => Call(call).SetResult(slice);

        public void Fail(int call, Exception exception) => Call(call).SetException(exception);

        /// <summary>Waits until the store was asked <paramref name="count"/> times (the next read is issued from the previous one's continuation).</summary>
        public async Task WaitForCallsAsync(int count)
        {
            while (Calls < count)
            {
                Assert.True(await _called.WaitAsync(Wait), $"the store was asked {Calls} times, expected {count}");
            }
        }

        private TaskCompletionSource<HistorySlice> Call(int call)
        {
            lock (_lock)
            {
                return _calls[call];
            }
        }
    }
}
