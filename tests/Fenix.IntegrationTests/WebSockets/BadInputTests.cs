using System.Text;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.WebSockets;

/// <summary>Malformed and hostile input over HTTP/1.1 WebSockets.</summary>
public sealed class BadInputTests(FixtureServer server) : BadInputTestsBase(server), IClassFixture<FixtureServer>;

/// <summary>The same malformed and hostile input on the direct listener (<c>UseFenixWebSockets</c>): same framing, limits and close codes.</summary>
public sealed class DirectBadInputTests(DirectFixtureServer server) : BadInputTestsBase(server), IClassFixture<DirectFixtureServer>;

/// <summary>The same malformed and hostile input over HTTP/2 WebSockets (RFC 8441): same framing, limits and close codes.</summary>
public sealed class Http2BadInputTests(TlsFixtureServer server) : BadInputTestsBase(server), IClassFixture<TlsFixtureServer>;

/// <summary>Malformed and hostile input: a clear close for the offender, no harm to anyone else (protocol.md §4.11).</summary>
public abstract class BadInputTestsBase(FixtureServer server)
{
    [Theory]
    [InlineData("not json at all", 1011)]
    [InlineData("{\"topic\":\"x\"}", 1011)]
    [InlineData("[\"1\",\"1\"]", 1011)]
    [InlineData("[null,\"1\",5,\"phx_join\",{}]", 1011)]
    [InlineData("[null,\"1\",\"room:x\",\"phx_join\",{}] trailing", 1011)]
    public async Task Undecodable_text_frames_close_with_1011_and_others_keep_working(string frame, int code)
    {
        await using var bystander = await JoinedClient("room:bystander");
        await using var offender = await Connect("/ws", "2.0.0");
        await offender.Socket.SendTextAsync(frame);
        var close = await offender.WaitForCloseAsync(Patience.Default);
        Assert.Equal(code, close?.CloseCode);
        Assert.StartsWith("invalid message", close!.CloseReason, StringComparison.Ordinal);
        await AssertStillServes(bystander);
    }

    [Fact]
    public async Task Binary_frames_to_a_v1_socket_close_with_1011()
    {
        await using var offender = await Connect("/ws", "1.0.0");
        await offender.Socket.SendBinaryAsync([0, 0, 0, 1, 1, (byte)'t', (byte)'e']);
        Assert.Equal(1011, (await offender.WaitForCloseAsync(Patience.Default))?.CloseCode);
    }

    [Fact]
    public async Task Unknown_binary_kinds_close_with_1011()
    {
        await using var offender = await Connect("/ws", "2.0.0");
        await offender.Socket.SendBinaryAsync([7, 0, 0, 0, 0]);
        Assert.Equal(1011, (await offender.WaitForCloseAsync(Patience.Default))?.CloseCode);
    }

    [Fact]
    public async Task Oversized_messages_close_with_1009()
    {
        await using var bystander = await JoinedClient("room:big-bystander", "/ws/small");
        await using var offender = await Connect("/ws/small", "2.0.0");
        await offender.SendAsync("room:big", "new_msg", new { body = new string('x', 2000) }, null);
        Assert.Equal(1009, (await offender.WaitForCloseAsync(Patience.Default))?.CloseCode);
        await AssertStillServes(bystander);
    }

    [Fact]
    public async Task Oversized_fragmented_messages_close_with_1009()
    {
        await using var offender = await Connect("/ws/small", "2.0.0");
        await offender.Socket.SendFrameAsync(RawFrame.Text, new byte[800], fin: false);
        await offender.Socket.SendFrameAsync(0, new byte[800], fin: false);
        Assert.Equal(1009, (await offender.WaitForCloseAsync(Patience.Default))?.CloseCode);
    }

    [Theory]
    [InlineData("unmasked")]
    [InlineData("reserved-opcode")]
    [InlineData("rsv-bit")]
    [InlineData("fragmented-control")]
    [InlineData("continuation-without-start")]
    [InlineData("bad-close-code")]
    public async Task Protocol_violations_close_with_1002_at_once(string violation)
    {
        await using var bystander = await JoinedClient("room:violation-bystander");
        await using var offender = await Connect("/ws", "2.0.0");
        var heartbeat = Encoding.UTF8.GetBytes("[null,\"1\",\"phoenix\",\"heartbeat\",{}]");
        switch (violation)
        {
            case "unmasked":
                await offender.Socket.SendFrameAsync(RawFrame.Text, heartbeat, mask: false);
                break;
            case "reserved-opcode":
                await offender.Socket.SendFrameAsync(3, heartbeat);
                break;
            case "rsv-bit":
                await offender.Socket.SendFrameAsync(RawFrame.Text, heartbeat, rsv: 4);
                break;
            case "fragmented-control":
                await offender.Socket.SendFrameAsync(RawFrame.Ping, [1], fin: false);
                break;
            case "continuation-without-start":
                await offender.Socket.SendFrameAsync(0, heartbeat);
                break;
            case "bad-close-code":
                await offender.Socket.SendFrameAsync(RawFrame.Close, [0x03, 0xEE]); // 1006 must never be sent
                break;
        }

        var close = await offender.WaitForCloseAsync(Patience.Default);
        Assert.Equal(1002, close?.CloseCode);
        offender.RefuteReceivedBeforeClose(m => m.Ref == "1");
        Assert.True(await offender.Socket.WaitForEndOfStreamAsync(Patience.Default));
        await AssertStillServes(bystander);
    }

    [Fact]
    public async Task Invalid_utf8_text_closes_with_1007()
    {
        await using var offender = await Connect("/ws", "2.0.0");
        await offender.Socket.SendFrameAsync(RawFrame.Text, [(byte)'[', 0xC3, 0x28, (byte)']']);
        Assert.Equal(1007, (await offender.WaitForCloseAsync(Patience.Default))?.CloseCode);
    }

    [Fact]
    public async Task A_flood_of_joins_is_bounded_and_the_socket_keeps_working()
    {
        await using var client = await Connect("/ws", "2.0.0");
        var refs = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            refs.Add((await client.JoinAsync($"room:flood-{i}")).Ref);
        }

        var ok = 0;
        var refused = 0;
        foreach (var @ref in refs)
        {
            var reply = await client.AssertReceiveAsync(m => m.Event == "phx_reply" && m.Ref == @ref, $"join reply {@ref}");
            if (reply.Status == "ok")
            {
                ok++;
            }
            else
            {
                Assert.Equal("too many channels joined", reply.Response!["reason"]!.GetValue<string>());
                refused++;
            }
        }

        Assert.Equal((100, 200), (ok, refused));
        var heartbeat = await client.SendAsync("phoenix", "heartbeat", new { }, null);
        await client.AssertReplyAsync(heartbeat);
    }

    [Fact]
    public async Task A_client_that_never_reads_is_closed_as_a_slow_consumer_while_readers_get_everything()
    {
        const int count = 3000;
        var topic = "room:firehose";
        await using var reader = await JoinedClient(topic); // default 8 MB outbound bound
        await using var stalled = await JoinedClient(topic, "/ws/small"); // 64 KB outbound bound
        var body = new string('x', 8 * 1024);

        // The publisher stays at most 256 messages (2 MB) ahead of the reading client, whatever the machine's speed:
        // the reader never falls 8 MB behind, the stalled client (64 KB bound) always does.
        using var credits = new SemaphoreSlim(256);
        var received = 0;
        var reading = Task.Run(async () =>
        {
            while (received < count)
            {
                var message = await reader.TryReceiveAsync(m => m.Event == "burst", TimeSpan.FromSeconds(30));
                if (message is null)
                {
                    return;
                }

                received++;
                credits.Release();
            }
        });
        for (var i = 0; i < count; i++)
        {
            Assert.True(await credits.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), $"the reader stopped after {received} messages");
            server.Broadcaster.Broadcast(topic, "burst", new { i, body });
        }

        await reading;
        Assert.Equal(count, received);

        // The stalled client's queue overflowed: the server gave up on it instead of buffering 24 MB. It sends 1013, or,
        // when even the close frame cannot get through in time, ends the connection.
        var close = await stalled.WaitForCloseAsync(TimeSpan.FromSeconds(30));
        if (close is null)
        {
            Assert.True(await stalled.Socket.WaitForEndOfStreamAsync(Patience.Default), "the stalled client was neither sent 1013 nor disconnected");
        }
        else
        {
            Assert.Equal(1013, close.CloseCode);
        }

        var stalledReceived = 0;
        while (await stalled.TryReceiveAsync(m => m.Event == "burst", TimeSpan.Zero) is not null)
        {
            stalledReceived++;
        }

        Assert.True(stalledReceived < count, $"the stalled client got all {count} messages: nothing was bounded");
    }

    [Fact]
    public async Task Invalid_utf8_in_a_first_fragment_closes_with_1007_before_the_rest_of_the_message_arrives()
    {
        await using var bystander = await JoinedClient("room:utf8-bystander");
        await using var offender = await Connect("/ws", "2.0.0");
        await offender.Socket.SendFrameAsync(RawFrame.Text, [(byte)'[', (byte)'"', 0xF4, 0x90], fin: false); // F4 90 is past U+10FFFF

        // The message never ends: the server must judge the fragment it has.
        Assert.Equal(1007, (await offender.WaitForCloseAsync(Patience.Default))?.CloseCode);
        await AssertStillServes(bystander);
    }

    [Fact]
    public async Task A_code_point_split_across_fragments_is_fine()
    {
        await using var client = await Connect("/ws", "2.0.0");
        var text = Encoding.UTF8.GetBytes("[null,\"1\",\"phoenix\",\"heartbeat\",{\"who\":\"🦊\"}]");
        var fox = Array.IndexOf(text, (byte)0xF0);
        await client.Socket.SendFrameAsync(RawFrame.Text, text[..(fox + 2)], fin: false);
        await client.Socket.SendFrameAsync(0, text[(fox + 2)..]);

        await client.AssertReplyAsync("1");
    }

    [Fact]
    public async Task A_ping_flood_from_a_client_that_never_reads_is_closed_as_a_slow_consumer()
    {
        var slowBefore = server.SlowConsumers;
        await using var bystander = await JoinedClient("room:ping-bystander");
        await using var flooder = await RawWebSocket.ConnectAsync(
            server.BaseUri, "/ws/small/websocket?vsn=2.0.0", http2: server.Http2, receiveBufferSize: 4096);
        Assert.True(flooder.IsOpen);

        // Up to 13 MB of pings, never reading the pongs: far beyond the 64 KB bound plus what the network buffers.
        var batch = RawWebSocket.Encode(RawFrame.Ping, new byte[125], repeat: 1000);
        var sent = 0;
        try
        {
            while (sent < 100_000)
            {
                await flooder.SendRawAsync(batch);
                sent += 1000;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
        {
            // The server gave up on the connection while we were still flooding it.
        }

        var pongs = 0;
        RawFrame? last;
        while ((last = await flooder.ReceiveAsync(TimeSpan.FromSeconds(10))) is { Opcode: RawFrame.Pong })
        {
            pongs++;
        }

        // A 1013 close, or (when even the close frame could not get through before the close timeout) the end of the connection.
        var closed = last?.CloseCode == 1013 || (last is null && await flooder.WaitForEndOfStreamAsync(Patience.Default));
        Assert.True(closed, $"after {sent} pings and {pongs} pongs the connection is still open without a 1013 (last frame: {last?.Opcode})");
        Assert.True(pongs < sent, $"all {sent} pings were answered: the pongs were not bounded");
        Assert.True(server.SlowConsumers > slowBefore, "the close was not counted as a slow consumer");
        await AssertStillServes(bystander);
    }

    protected Task<PhoenixTestClient> Connect(string path, string vsn) =>
        PhoenixTestClient.ConnectAsync(server.BaseUri, path, vsn, http2: server.Http2);

    private async Task<PhoenixTestClient> JoinedClient(string topic, string path = "/ws")
    {
        var client = await Connect(path, "2.0.0");
        var (_, @ref) = await client.JoinAsync(topic);
        await client.AssertReplyAsync(@ref);
        return client;
    }

    private static async Task AssertStillServes(PhoenixTestClient client)
    {
        var heartbeat = await client.SendAsync("phoenix", "heartbeat", new { }, null);
        await client.AssertReplyAsync(heartbeat);
    }
}
