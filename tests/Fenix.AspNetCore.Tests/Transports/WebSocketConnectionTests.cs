using System.Text;
using Fenix.AspNetCore.Sockets;
using Fenix.AspNetCore.Transports.WebSockets;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.AspNetCore.Tests.Transports;

/// <summary>
/// The WebSocket connection on its own (receive loop, bounded writer, close handshake), over an in-memory stream and a
/// fake clock: what happens when a client pings without reading, sends broken UTF-8 in pieces, goes away, or never
/// answers a close.
/// </summary>
public sealed class WebSocketConnectionTests
{
    private const int SlowConsumerLog = 1005;
    private const int WriteFailedLog = 1010;
    private const int PeerGoneLog = 1011;

    private static readonly byte[] Heartbeat = Encoding.UTF8.GetBytes("[null,\"7\",\"phoenix\",\"heartbeat\",{}]");

    [Fact]
    public async Task Pongs_to_a_client_that_pings_but_never_reads_count_against_the_outbound_bound()
    {
        // The client reads nothing: after 2 KB the server's writes block, as on a socket with a full window.
        await using var harness = WebSocketHarness.Start(options => options.MaxOutboundBytes = 16 * 1024, clientWindow: 2 * 1024);
        var ping = new byte[125];
        for (var i = 0; i < 2_000 && !harness.Run.IsCompleted; i++)
        {
            await harness.SendAsync(WebSocketOpcode.Ping, ping);
        }

        // The pongs overflowed the 16 KB bound (250 KB were asked for): the client is closed as a slow consumer, logged and metered.
        Assert.True(harness.SlowConsumers == 1, "the server kept queueing pongs for a client that does not read");
        Assert.Single(harness.LogsWithId(SlowConsumerLog));

        // Once the client reads, it gets the pongs that fit, then the close frame; nothing after it.
        var pongs = 0;
        ServerFrame? frame;
        while ((frame = await harness.ReceiveAsync()) is { Opcode: WebSocketOpcode.Pong })
        {
            pongs++;
        }

        Assert.Equal(1013, frame?.CloseCode);
        Assert.InRange(pongs, 1, (16 + 16 + 2) * 1024 / 127); // the bound, plus what the writer had taken and the client's window

        await harness.SendAsync(WebSocketOpcode.Close, [0x03, 0xE8]);
        Assert.Null(await harness.ReceiveAsync());
        await harness.WaitForEndAsync();
    }

    [Fact]
    public async Task Text_split_inside_a_code_point_across_frames_is_accepted()
    {
        await using var harness = WebSocketHarness.Start();
        var text = Encoding.UTF8.GetBytes("[null,\"1\",\"phoenix\",\"heartbeat\",{\"who\":\"Zoë ✓ 🦊\"}]");
        var fox = Array.IndexOf(text, (byte)0xF0);
        await harness.SendAsync(WebSocketOpcode.Text, text[..(fox + 1)], fin: false);
        await harness.SendAsync(WebSocketOpcode.Continuation, text[(fox + 1)..(fox + 3)], fin: false);
        await harness.SendAsync(WebSocketOpcode.Continuation, text[(fox + 3)..]);

        var reply = await harness.ReceiveAsync();
        Assert.Equal(WebSocketOpcode.Text, reply?.Opcode);
        Assert.Contains("\"ok\"", reply!.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x5B, 0xF4, 0x90 })] // F4 90: beyond U+10FFFF, already wrong before its last bytes came
    [InlineData(new byte[] { 0x5B, 0xED, 0xA0 })] // ED A0: a UTF-16 surrogate
    [InlineData(new byte[] { 0x5B, 0xC3, 0x28 })] // a lead byte followed by ASCII
    [InlineData(new byte[] { 0x5B, 0xFF })]
    public async Task Invalid_utf8_in_the_first_fragment_closes_with_1007_before_the_message_ends(byte[] fragment)
    {
        await using var harness = WebSocketHarness.Start();
        await harness.SendAsync(WebSocketOpcode.Text, fragment, fin: false);

        // No more fragments are coming: the server must see the problem in the one it has.
        Assert.Equal(1007, (await harness.ReceiveCloseAsync())?.CloseCode);
    }

    [Fact]
    public async Task A_message_that_ends_inside_a_code_point_closes_with_1007()
    {
        await using var harness = WebSocketHarness.Start();
        await harness.SendAsync(WebSocketOpcode.Text, [0x5B, 0x22, 0xE2, 0x9C], fin: false);
        await harness.SendAsync(WebSocketOpcode.Continuation, [], fin: true);

        Assert.Equal(1007, (await harness.ReceiveCloseAsync())?.CloseCode);
    }

    [Fact]
    public async Task A_close_requested_after_the_connection_ended_leaves_no_timer_behind()
    {
        var time = new TimerCountingTimeProvider();
        await using var harness = WebSocketHarness.Start(time: time);
        await harness.EndClientAsync();
        await harness.WaitForEndAsync();

        // A late close (a channel's disconnect, a drain at shutdown) arrives after the connection is gone.
        harness.Connection.Close(TransportCloseReason.Disconnected);

        Assert.Equal(0, time.LiveTimers);
    }

    [Fact]
    public async Task The_close_timer_is_disposed_when_the_client_answers_the_close()
    {
        var time = new TimerCountingTimeProvider();
        await using var harness = WebSocketHarness.Start(time: time);
        harness.Connection.Close(TransportCloseReason.Disconnected);
        Assert.Equal(1001, (await harness.ReceiveCloseAsync())?.CloseCode);
        Assert.Equal(1, time.LiveTimers);

        await harness.SendAsync(WebSocketOpcode.Close, [0x03, 0xE9]);
        await harness.WaitForEndAsync();

        Assert.Equal(0, time.LiveTimers);
    }

    [Fact]
    public async Task A_client_that_never_answers_the_close_is_dropped_when_the_fake_clock_reaches_the_close_timeout()
    {
        var time = new TimerCountingTimeProvider();
        await using var harness = WebSocketHarness.Start(options => options.WebSocket.CloseTimeout = TimeSpan.FromSeconds(2), time: time);
        harness.Connection.Close(TransportCloseReason.Disconnected);
        Assert.Equal(1001, (await harness.ReceiveCloseAsync())?.CloseCode);

        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(harness.Run.IsCompleted); // nothing fired: nothing can have ended it

        time.Advance(TimeSpan.FromSeconds(0.1));
        await harness.WaitForEndAsync();
        Assert.Equal(0, time.LiveTimers);
    }

    [Fact]
    public async Task A_writer_stuck_on_a_vanished_peer_holds_the_end_only_until_the_close_timeout()
    {
        var time = new TimerCountingTimeProvider();
        await using var harness = WebSocketHarness.Start(options => options.WebSocket.CloseTimeout = TimeSpan.FromSeconds(2), time: time);
        harness.Stream.HoldWrites();
        await harness.SendAsync(WebSocketOpcode.Text, Heartbeat); // its reply's write hangs
        await harness.SendAsync(WebSocketOpcode.Close, [0x03, 0xE8]);
        await time.WaitForTimersCreatedAsync(1); // the server took the close: its close timeout runs from here

        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(harness.Run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await harness.WaitForEndAsync();
    }

    [Fact]
    public async Task The_end_waits_for_the_writer_to_send_the_close_frame_and_no_longer()
    {
        var time = new TimerCountingTimeProvider();
        await using var harness = WebSocketHarness.Start(time: time);
        await harness.SendAsync(WebSocketOpcode.Text, Heartbeat);
        await harness.SendAsync(WebSocketOpcode.Close, [0x03, 0xE8]);

        // The fake clock never moves: the end comes from the writer finishing, not from a timeout.
        await harness.WaitForEndAsync();
        Assert.Equal(WebSocketOpcode.Text, (await harness.ReceiveAsync())?.Opcode);
        Assert.Equal(1000, (await harness.ReceiveAsync())?.CloseCode);
    }

    [Fact]
    public async Task A_peer_gone_while_writing_is_a_debug_line_without_a_stack_trace()
    {
        await using var harness = WebSocketHarness.Start();
        harness.Stream.WriteFailure = new ObjectDisposedException("HttpResponseStream", "Cannot write to the response body, the response has completed.");
        await harness.SendAsync(WebSocketOpcode.Text, Heartbeat);
        await harness.EndClientAsync();
        await harness.WaitForEndAsync();

        Assert.DoesNotContain(harness.Logs.Entries, entry => entry.Level >= LogLevel.Warning);
        var gone = Assert.Single(harness.LogsWithId(PeerGoneLog));
        Assert.Equal(LogLevel.Debug, gone.Level);
        Assert.Null(gone.Exception);
    }

    [Theory]
    [InlineData("io")]
    [InlineData("reset")]
    [InlineData("aborted")]
    public async Task Other_ways_a_peer_goes_away_are_not_warnings_either(string how)
    {
        await using var harness = WebSocketHarness.Start();
        harness.Stream.WriteFailure = how switch
        {
            "io" => new IOException("Broken pipe"),
            "reset" => new Microsoft.AspNetCore.Connections.ConnectionResetException("Connection reset by peer"),
            _ => new Microsoft.AspNetCore.Connections.ConnectionAbortedException("The connection was aborted"),
        };
        await harness.SendAsync(WebSocketOpcode.Text, Heartbeat);
        await harness.EndClientAsync();
        await harness.WaitForEndAsync();

        Assert.DoesNotContain(harness.Logs.Entries, entry => entry.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_real_write_failure_is_still_a_warning_with_its_exception()
    {
        await using var harness = WebSocketHarness.Start();
        harness.Stream.WriteFailure = new InvalidOperationException("a bug in a stream");
        await harness.SendAsync(WebSocketOpcode.Text, Heartbeat);
        await harness.EndClientAsync();
        await harness.WaitForEndAsync();

        var failed = Assert.Single(harness.LogsWithId(WriteFailedLog));
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.IsType<InvalidOperationException>(failed.Exception);
    }
}
