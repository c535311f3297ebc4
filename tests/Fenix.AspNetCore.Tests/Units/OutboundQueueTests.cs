using System.Collections.Concurrent;
using Fenix.AspNetCore.Transports.WebSockets;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>The byte-bounded, single-writer queue between a connection's producers and its writer loop.</summary>
public sealed class OutboundQueueTests
{
    private static OutboundItem Text(int length, byte fill = 0) =>
        new(Enumerable.Repeat(fill, length).ToArray(), WebSocketOpcode.Text);

    private static OutboundItem Binary(int length) => new(new byte[length], WebSocketOpcode.Binary);

    private static OutboundItem Control(WebSocketOpcode opcode, int length = 0) => new(new byte[length], opcode);

    private static List<OutboundItem> Drain(OutboundQueue queue)
    {
        var items = new List<OutboundItem>();
        while (queue.TryDequeue(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact]
    public void First_enqueue_starts_the_writer_and_later_ones_only_queue()
    {
        var queue = new OutboundQueue(1_000);

        Assert.Equal(EnqueueResult.StartWriter, queue.TryEnqueue(Text(1)));
        Assert.True(queue.IsBusy);
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Text(1)));
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Control(WebSocketOpcode.Ping)));
    }

    [Fact]
    public void The_writer_role_is_released_only_when_the_writer_finds_the_queue_empty()
    {
        var queue = new OutboundQueue(1_000);
        queue.TryEnqueue(Text(1));

        Assert.True(queue.TryDequeue(out _));
        Assert.True(queue.IsBusy); // still the writer's until it asks again and finds nothing
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Text(1)));
        Assert.True(queue.TryDequeue(out _));
        Assert.False(queue.TryDequeue(out _));
        Assert.False(queue.IsBusy);

        Assert.Equal(EnqueueResult.StartWriter, queue.TryEnqueue(Text(1)));
    }

    [Fact]
    public void A_writer_holding_unflushed_bytes_keeps_the_role_when_it_asks_without_releasing()
    {
        var queue = new OutboundQueue(1_000);
        queue.TryEnqueue(Text(1));
        queue.TryDequeue(out _);

        Assert.False(queue.TryDequeue(out var none, releaseIfEmpty: false));
        Assert.Equal(default, none);
        Assert.True(queue.IsBusy);
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Text(2)));

        Assert.True(queue.TryDequeue(out var next, releaseIfEmpty: false));
        Assert.Equal(2, next.Data.Length);
        Assert.False(queue.TryDequeue(out _));
        Assert.False(queue.IsBusy);
    }

    [Fact]
    public void Items_come_out_in_enqueue_order()
    {
        var queue = new OutboundQueue(10_000);
        for (byte i = 1; i <= 20; i++)
        {
            queue.TryEnqueue(Text(1, i));
        }

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (byte)i), Drain(queue).Select(item => item.Data.Span[0]));
    }

    [Fact]
    public void Order_holds_when_the_head_slot_empties_while_others_wait()
    {
        var queue = new OutboundQueue(10_000);
        queue.TryEnqueue(Text(1, 1));
        queue.TryEnqueue(Text(1, 2));
        queue.TryEnqueue(Text(1, 3));

        Assert.True(queue.TryDequeue(out var first));
        queue.TryEnqueue(Text(1, 4)); // head is empty but 2 and 3 are older
        Assert.True(queue.TryDequeue(out var second));
        queue.TryEnqueue(Text(1, 5));

        byte[] rest = [.. Drain(queue).Select(item => item.Data.Span[0])];
        Assert.Equal([1, 2, 3, 4, 5], [first.Data.Span[0], second.Data.Span[0], .. rest]);
    }

    [Fact]
    public void Order_holds_when_the_queue_alternates_between_empty_and_busy()
    {
        var queue = new OutboundQueue(10_000);
        var output = new List<byte>();
        byte next = 0;
        foreach (var burst in new[] { 1, 3, 1, 0, 5, 2, 40, 1 })
        {
            for (var i = 0; i < burst; i++)
            {
                queue.TryEnqueue(Text(1, next++));
            }

            if (queue.TryDequeue(out var item))
            {
                output.Add(item.Data.Span[0]);
            }
        }

        output.AddRange(Drain(queue).Select(item => item.Data.Span[0]));
        Assert.Equal(Enumerable.Range(0, next).Select(i => (byte)i), output);
    }

    [Fact]
    public void Frames_are_bounded_by_their_size_on_the_wire_and_overflow_adds_nothing()
    {
        var queue = new OutboundQueue(20);

        Assert.Equal(EnqueueResult.StartWriter, queue.TryEnqueue(Text(6))); // 2-byte header + 6
        Assert.Equal(8, queue.QueuedBytes);
        Assert.Equal(EnqueueResult.Overflow, queue.TryEnqueue(Binary(11)));
        Assert.Equal(8, queue.QueuedBytes);
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Binary(10))); // exactly at the bound
        Assert.Equal(20, queue.QueuedBytes);
        Assert.Equal(EnqueueResult.Overflow, queue.TryEnqueue(Text(0))); // even an empty frame has a header

        Assert.Equal([6, 10], Drain(queue).Select(item => item.Data.Length));
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public void Large_frames_count_their_longer_headers()
    {
        var queue = new OutboundQueue(long.MaxValue);

        queue.TryEnqueue(Text(126));
        Assert.Equal(126 + 4, queue.QueuedBytes);
        queue.TryEnqueue(Binary(70_000));
        Assert.Equal(126 + 4 + 70_000 + 10, queue.QueuedBytes);
    }

    [Fact]
    public void Dequeuing_frees_room_under_the_bound()
    {
        var queue = new OutboundQueue(20);
        queue.TryEnqueue(Text(6));
        queue.TryEnqueue(Text(10));

        queue.TryDequeue(out _);

        Assert.Equal(12, queue.QueuedBytes);
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Text(6)));
    }

    [Fact]
    public void A_single_frame_larger_than_the_bound_goes_to_an_idle_client_but_not_behind_a_backlog()
    {
        var queue = new OutboundQueue(10);

        Assert.Equal(EnqueueResult.StartWriter, queue.TryEnqueue(Text(11))); // nothing queued: a big frame is not slowness
        Assert.Equal(EnqueueResult.Overflow, queue.TryEnqueue(Text(1)));
        Assert.Equal(13, queue.QueuedBytes);
    }

    [Fact]
    public void Pongs_and_pings_count_against_the_bound_but_the_close_frame_never_does()
    {
        var queue = new OutboundQueue(200);
        queue.TryEnqueue(Text(10));

        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Control(WebSocketOpcode.Pong, 125)));
        Assert.Equal(EnqueueResult.Overflow, queue.TryEnqueue(Control(WebSocketOpcode.Ping, 125)));
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Control(WebSocketOpcode.Pong)));
        Assert.Equal(12 + 127 + 2, queue.QueuedBytes);

        queue.Seal();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Control(WebSocketOpcode.Close, 125), afterSeal: true));
        }

        Assert.Equal(12 + 127 + 2, queue.QueuedBytes);
        Assert.Equal(6, Drain(queue).Count);
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public async Task WhenIdle_completes_when_the_writer_releases_its_role()
    {
        var queue = new OutboundQueue(100);
        Assert.True(queue.WhenIdle().IsCompleted); // no writer yet

        queue.TryEnqueue(Text(1));
        var idle = queue.WhenIdle();
        Assert.False(idle.IsCompleted);
        Assert.True(queue.TryDequeue(out _));
        Assert.False(queue.TryDequeue(out _, releaseIfEmpty: false));
        Assert.False(idle.IsCompleted); // the writer still holds unflushed bytes

        Assert.False(queue.TryDequeue(out _));
        await idle.WaitAsync(Patience.Default, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task WhenIdle_completes_when_the_queue_is_cleared_even_with_a_writer_stuck()
    {
        var queue = new OutboundQueue(100);
        queue.TryEnqueue(Text(1));
        queue.TryDequeue(out _); // the writer took it and hangs on the network
        var idle = queue.WhenIdle();

        queue.Clear();

        await idle.WaitAsync(Patience.Default, TestContext.Current.CancellationToken);
        Assert.True(queue.WhenIdle().IsCompleted); // and so do waits that start after the clear
    }

    [Fact]
    public void Seal_rejects_data_but_lets_a_close_frame_through()
    {
        var queue = new OutboundQueue(100);
        queue.TryEnqueue(Text(1, 1));

        Assert.True(queue.Seal());
        Assert.False(queue.Seal());
        Assert.Equal(EnqueueResult.Rejected, queue.TryEnqueue(Text(1, 2)));
        Assert.Equal(EnqueueResult.Rejected, queue.TryEnqueue(Control(WebSocketOpcode.Ping)));
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Control(WebSocketOpcode.Close, 2), afterSeal: true));

        var items = Drain(queue);
        Assert.Equal([WebSocketOpcode.Text, WebSocketOpcode.Close], items.Select(item => item.Opcode));
        Assert.Equal(1, items[0].Data.Span[0]);
    }

    [Fact]
    public void A_close_after_seal_starts_the_writer_when_none_runs()
    {
        var queue = new OutboundQueue(100);
        queue.Seal();

        Assert.Equal(EnqueueResult.StartWriter, queue.TryEnqueue(Control(WebSocketOpcode.Close), afterSeal: true));
    }

    [Fact]
    public void Data_let_through_after_seal_is_still_bounded()
    {
        var queue = new OutboundQueue(4);
        queue.Seal();

        Assert.Equal(EnqueueResult.StartWriter, queue.TryEnqueue(Text(4), afterSeal: true));
        Assert.Equal(EnqueueResult.Overflow, queue.TryEnqueue(Text(0), afterSeal: true));
    }

    [Fact]
    public void Clear_drops_everything_and_seals()
    {
        var queue = new OutboundQueue(100);
        queue.TryEnqueue(Text(10));
        queue.TryEnqueue(Text(20));
        queue.TryEnqueue(Control(WebSocketOpcode.Ping));

        queue.Clear();

        Assert.Equal(0, queue.QueuedBytes);
        Assert.False(queue.TryDequeue(out _));
        Assert.Equal(EnqueueResult.Rejected, queue.TryEnqueue(Text(1)));
        Assert.False(queue.Seal()); // already sealed by Clear
    }

    [Fact]
    public void Dequeued_items_keep_their_bytes_and_opcode()
    {
        var queue = new OutboundQueue(100);
        var item = new OutboundItem(new byte[] { 1, 2, 3 }, WebSocketOpcode.Binary);
        queue.TryEnqueue(item);

        Assert.True(queue.TryDequeue(out var dequeued));

        Assert.Equal(WebSocketOpcode.Binary, dequeued.Opcode);
        Assert.True(item.Data.Span.SequenceEqual(dequeued.Data.Span));
    }

    [Fact]
    public void A_burst_that_grew_the_queue_does_not_break_later_use()
    {
        var queue = new OutboundQueue(1_000_000);
        for (var i = 0; i < 1_000; i++)
        {
            queue.TryEnqueue(Text(3));
        }

        Assert.Equal(1_000, Drain(queue).Count);
        Assert.Equal(EnqueueResult.StartWriter, queue.TryEnqueue(Text(1, 7)));
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Text(1, 8)));
        Assert.Equal([7, 8], Drain(queue).Select(item => item.Data.Span[0]));
    }

    [Fact]
    public async Task Concurrent_producers_get_exactly_one_writer_at_a_time_and_keep_their_order()
    {
        const int producers = 4;
        const int perProducer = 20_000;
        var queue = new OutboundQueue(long.MaxValue);
        var writers = 0;
        var overlaps = 0;
        var received = new ConcurrentQueue<(int Producer, int Sequence)>();
        var writerRuns = new ConcurrentBag<Task>();

        void RunWriter()
        {
            if (Interlocked.Increment(ref writers) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            var done = false;
            while (!done)
            {
                if (queue.TryDequeue(out var item, releaseIfEmpty: false))
                {
                    received.Enqueue((item.Data.Span[0], BitConverter.ToInt32(item.Data.Span[1..])));
                    continue;
                }

                // The release must happen in the same step as the emptiness check, so leave the writer count first.
                Interlocked.Decrement(ref writers);
                if (queue.TryDequeue(out item))
                {
                    Interlocked.Increment(ref writers);
                    received.Enqueue((item.Data.Span[0], BitConverter.ToInt32(item.Data.Span[1..])));
                }
                else
                {
                    done = true;
                }
            }
        }

        var producing = Enumerable.Range(0, producers).Select(p => Task.Run(
            () =>
            {
                for (var i = 0; i < perProducer; i++)
                {
                    var data = new byte[5];
                    data[0] = (byte)p;
                    BitConverter.TryWriteBytes(data.AsSpan(1), i);
                    if (queue.TryEnqueue(new OutboundItem(data, WebSocketOpcode.Binary)) == EnqueueResult.StartWriter)
                    {
                        writerRuns.Add(Task.Run(RunWriter, TestContext.Current.CancellationToken));
                    }
                }
            },
            TestContext.Current.CancellationToken)).ToArray();

        await Task.WhenAll(producing).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await Task.WhenAll(writerRuns).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(0, overlaps);
        Assert.False(queue.IsBusy);
        Assert.Equal(producers * perProducer, received.Count);
        foreach (var group in received.GroupBy(r => r.Producer))
        {
            Assert.Equal(Enumerable.Range(0, perProducer), group.Select(r => r.Sequence));
        }
    }
}
