using System.Buffers;
using System.Text;
using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Sockets;
using Fenix.AspNetCore.Transports;
using Fenix.AspNetCore.Transports.WebSockets;
using Fenix.Protocol;
using Fenix.PubSub;
using Xunit;

namespace Fenix.AspNetCore.Tests.Transports;

/// <summary>
/// The fast lane of the WebSocket writer: inside a broadcast's dispatch (<see cref="WriterBatch"/> scope), a frame for a
/// connection with nothing queued and no write in flight is written on the broadcasting thread; everything else goes to
/// the queued writer. These tests pin what must not change with it: one writer at a time, frames in order, the
/// slow-consumer bound and close, nothing after the close frame, failures handled as by the queued writer.
/// </summary>
public sealed class InlineWriteTests
{
    private const int SlowConsumerLog = 1005;
    private const int PeerGoneLog = 1011;

    private static EncodedFrame Frame(string text) => new(Encoding.UTF8.GetBytes(text), IsBinary: false);

    private static void Broadcast(WebSocketConnection connection, params string[] texts)
    {
        using var batch = WriterBatch.Begin();
        foreach (var text in texts)
        {
            connection.Send(Frame(text));
        }
    }

    [Fact]
    public async Task A_broadcast_to_an_idle_connection_is_written_before_the_broadcast_returns()
    {
        await using var harness = WebSocketHarness.Start();

        Broadcast(harness.Connection, "one");

        // No thread-pool hop: the frame is in the transport already.
        Assert.Equal("one", harness.TryReceiveNow()?.Text);
        Assert.False(harness.Connection.IsWriting);
    }

    [Fact]
    public async Task A_connection_that_just_wrote_leaves_the_next_frame_to_the_queued_writer_until_it_was_quiet_a_while()
    {
        var time = new TimerCountingTimeProvider();
        await using var harness = WebSocketHarness.Start(time: time);
        Broadcast(harness.Connection, "first");
        Assert.Equal("first", harness.TryReceiveNow()?.Text);

        // Back to back (a burst): the queued writer takes it, started when the broadcast's batch closes.
        using (WriterBatch.Begin())
        {
            harness.Connection.Send(Frame("burst"));
            Assert.Null(harness.TryReceiveNow());
        }

        Assert.Equal("burst", (await harness.ReceiveAsync())?.Text);

        // After a quiet while (paced traffic), inline again.
        time.Advance(TimeSpan.FromMilliseconds(20));
        Broadcast(harness.Connection, "paced");
        Assert.Equal("paced", harness.TryReceiveNow()?.Text);
    }

    [Fact]
    public async Task Frames_behind_one_the_transport_could_not_take_at_once_wait_for_it_and_keep_their_order()
    {
        await using var harness = WebSocketHarness.Start();
        harness.Stream.HoldWrites();

        Broadcast(harness.Connection, "1"); // written inline, but the write cannot complete: it holds the writer role
        Broadcast(harness.Connection, "2", "3"); // queued behind it
        Assert.True(harness.Connection.IsWriting);
        Assert.Null(harness.TryReceiveNow());

        harness.Stream.ReleaseWrites();
        Assert.Equal("1", (await harness.ReceiveAsync())?.Text);
        Assert.Equal("2", (await harness.ReceiveAsync())?.Text);
        Assert.Equal("3", (await harness.ReceiveAsync())?.Text);
        Assert.Equal(0, harness.Stream.OverlappingWrites);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Concurrent_broadcasters_keep_each_ones_order_with_one_writer_at_a_time(int seed)
    {
        const int Publishers = 4;
        const int PerPublisher = 1_000;
        // The seed decides how much time passes between writer starts (so frames find the connection quiet or not, and
        // the lane switches between inline and queued over and over), which writes the transport cannot take at once, and
        // how each publisher groups its frames into broadcasts.
        await using var harness = WebSocketHarness.Start(
            options => options.MaxOutboundBytes = 64 * 1024 * 1024, time: new JitteryClock(seed), clientWindow: 64 * 1024 * 1024);
        var stalls = new Random(seed);
        harness.Stream.Stall = () =>
        {
            lock (stalls)
            {
                return stalls.Next(4) == 0;
            }
        };

        using var start = new Barrier(Publishers);
        var publishers = Enumerable.Range(0, Publishers).Select(p => Task.Factory.StartNew(
            () =>
            {
                var random = new Random(seed * 100 + p);
                start.SignalAndWait();
                var sent = 0;
                while (sent < PerPublisher)
                {
                    var batch = Math.Min(PerPublisher - sent, random.Next(1, 9));
                    Broadcast(harness.Connection, [.. Enumerable.Range(sent, batch).Select(i => $"{p}:{i}")]);
                    sent += batch;
                }
            },
            TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(publishers);

        var next = new int[Publishers];
        for (var received = 0; received < Publishers * PerPublisher; received++)
        {
            var frame = await harness.ReceiveAsync();
            Assert.NotNull(frame);
            var parts = frame.Text.Split(':');
            var publisher = int.Parse(parts[0]);
            Assert.Equal(next[publisher], int.Parse(parts[1])); // in order, none lost, none twice
            next[publisher]++;
        }

        Assert.All(next, count => Assert.Equal(PerPublisher, count));
        Assert.Equal(0, harness.Stream.OverlappingWrites);
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_still_closed_as_a_slow_consumer()
    {
        // The client reads nothing: after 2 KB the transport's writes block, as on a socket with a full window.
        await using var harness = WebSocketHarness.Start(options => options.MaxOutboundBytes = 16 * 1024, clientWindow: 2 * 1024);
        var text = new string('x', 100);
        for (var i = 0; i < 2_000 && harness.SlowConsumers == 0; i++)
        {
            Broadcast(harness.Connection, text);
        }

        Assert.Equal(1, harness.SlowConsumers);
        Assert.Single(harness.LogsWithId(SlowConsumerLog));

        // Once it reads: the frames that fit, then the slow-consumer close, and nothing after it.
        var frames = 0;
        ServerFrame? frame;
        while ((frame = await harness.ReceiveAsync()) is { Opcode: WebSocketOpcode.Text })
        {
            frames++;
        }

        Assert.Equal(1013, frame?.CloseCode);
        Assert.InRange(frames, 1, (16 + 16 + 2) * 1024 / 102); // the bound, plus what the writer had taken and the client's window
        await harness.SendAsync(WebSocketOpcode.Close, [0x03, 0xE8]);
        Assert.Null(await harness.ReceiveAsync());
        await harness.WaitForEndAsync();
        Assert.Equal(0, harness.Stream.OverlappingWrites);
    }

    [Fact]
    public async Task Nothing_is_written_after_the_close_frame()
    {
        await using var harness = WebSocketHarness.Start();
        Broadcast(harness.Connection, "a", "b");
        using (WriterBatch.Begin())
        {
            harness.Connection.Close(TransportCloseReason.Draining);
            harness.Connection.Send(Frame("after close"));
        }

        Broadcast(harness.Connection, "after close too");

        Assert.Equal("a", (await harness.ReceiveAsync())?.Text);
        Assert.Equal("b", (await harness.ReceiveAsync())?.Text);
        var close = await harness.ReceiveAsync();
        Assert.Equal(WebSocketOpcode.Close, close?.Opcode);

        // The client answers; the server ends the stream: its end is the barrier that proves nothing came after the close.
        await harness.SendAsync(WebSocketOpcode.Close, [0x03, 0xE8]);
        Assert.Null(await harness.ReceiveAsync());
        await harness.WaitForEndAsync();
    }

    [Fact]
    public async Task A_failed_inline_write_is_handled_like_a_failed_queued_write()
    {
        await using var harness = WebSocketHarness.Start();
        harness.Stream.WriteFailure = new IOException("Broken pipe");

        Broadcast(harness.Connection, "lost");

        // Seen on the broadcasting thread: logged as a peer gone, the connection aborted and its writer role released.
        Assert.Single(harness.LogsWithId(PeerGoneLog));
        Assert.False(harness.Connection.IsWriting);
        Broadcast(harness.Connection, "dropped"); // an aborted connection writes nothing more
        Assert.Single(harness.LogsWithId(PeerGoneLog));
        Assert.False(harness.Connection.IsWriting);
        await harness.WaitForEndAsync();
    }

    [Fact]
    public async Task Broadcasts_from_other_nodes_take_the_same_lane_as_local_ones()
    {
        await using var harness = WebSocketHarness.Start();
        var forwarder = new ForwardingSubscriber(harness.Connection);
        harness.Runtime.PubSub.Subscribe("room:remote", forwarder);
        var encoded = new ArrayBufferWriter<byte>();
        ((IPubSubMessage)new BroadcastMessage(new Broadcast("room:remote", "shout", Payload.ParseUtf8Json("{\"n\":1}"u8.ToArray())))).Encode(encoded);

        ((IPubSubInbound)harness.Runtime.PubSub).DeliverRemote("room:remote", BroadcastMessage.CodecName, encoded.WrittenMemory.ToArray());

        // Written inline by the adapter's delivering thread, as a local broadcast is.
        Assert.Equal("shout", harness.TryReceiveNow()?.Text);
    }

    [Fact]
    public void A_broadcast_from_another_node_keeps_its_payload_in_the_received_bytes_without_a_copy()
    {
        var encoded = new ArrayBufferWriter<byte>();
        ((IPubSubMessage)new BroadcastMessage(new Broadcast("t", "e", Payload.ParseUtf8Json("{\"n\":1}"u8.ToArray())))).Encode(encoded);
        var received = encoded.WrittenMemory.ToArray();

        var decoded = (BroadcastMessage)new BroadcastMessageDecoder().Decode("t", received);

        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(decoded.Broadcast.Payload.Bytes.Span));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(decoded.Broadcast.Payload.Bytes, out var segment));
        Assert.Same(received, segment.Array);
    }

    /// <summary>A clock that moves on by 30 ms (or, one time in four, seeded, not at all) each time it is read, from any thread.</summary>
    private sealed class JitteryClock(int seed) : TimeProvider
    {
        private readonly Random _random = new(seed);
        private long _now = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp()
        {
            lock (_random)
            {
                return _now += _random.Next(4) == 0 ? 0 : TimeSpan.FromMilliseconds(30).Ticks;
            }
        }
    }

    /// <summary>Sends each broadcast's event name to one connection (a stand-in for a channel).</summary>
    private sealed class ForwardingSubscriber(WebSocketConnection connection) : ISubscriber
    {
        public void Deliver(string topic, object message) => connection.Send(Frame(((BroadcastMessage)message).Event));
    }
}
