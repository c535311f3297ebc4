using Fenix.Client.Tests.Support;

namespace Fenix.Client.Tests;

/// <summary>WebSocket → long poll fallback (phoenix.js <c>longPollFallbackMs</c>).</summary>
public sealed class FallbackTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(2.5);

    [Fact]
    public async Task A_websocket_failing_before_it_opens_falls_back_at_once()
    {
        await using var fake = new FakeSocket(o => o.LongPollFallback = Threshold);
        fake.Socket.Connect();
        await fake.SyncAsync();
        Assert.Equal(TransportKind.WebSocket, fake.Current.Kind);

        fake.Current.Fail("blocked by a proxy");
        await fake.SyncAsync();
        Assert.Equal(TransportKind.LongPoll, fake.Current.Kind);
        Assert.Equal(TransportKind.LongPoll, fake.Socket.Transport);
        Assert.Equal("ws://example.test/socket/websocket?vsn=2.0.0", fake.Current.Request.Url.ToString());

        fake.Current.Open();
        await fake.SyncAsync();
        Assert.True(fake.Socket.IsConnected);
    }

    [Fact]
    public async Task A_websocket_that_never_opens_falls_back_after_the_threshold()
    {
        await using var fake = new FakeSocket(o => o.LongPollFallback = Threshold);
        fake.Socket.Connect();
        await fake.AdvanceAsync(Threshold - TimeSpan.FromMilliseconds(1));
        Assert.Single(fake.Transports);
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(1));

        Assert.Equal(2, fake.Transports.Count);
        Assert.NotNull(fake.Transports[0].ClosedWith);
        Assert.Equal(TransportKind.LongPoll, fake.Current.Kind);
    }

    [Fact]
    public async Task A_websocket_that_answers_the_health_ping_is_kept_even_if_it_fails_later()
    {
        await using var fake = new FakeSocket(o => o.LongPollFallback = Threshold);
        var transport = await fake.ConnectAsync();
        Assert.Equal("""[null,"1","phoenix","heartbeat",{}]""", transport.Sent.Single());
        transport.Receive(Frames.Reply(null, "1", "phoenix", "ok"));
        await fake.AdvanceAsync(Threshold * 2);
        Assert.Single(fake.Transports);

        transport.Fail();
        await fake.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        Assert.Equal(TransportKind.WebSocket, fake.Current.Kind);
    }

    [Fact]
    public async Task A_websocket_that_opens_but_never_answers_falls_back()
    {
        await using var fake = new FakeSocket(o => o.LongPollFallback = Threshold);
        await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:a");
        await fake.AdvanceAsync(Threshold);

        Assert.Equal(TransportKind.LongPoll, fake.Current.Kind);
        Assert.Equal(ChannelState.Errored, channel.State);
        fake.Current.Open();
        await fake.SyncAsync();
        Assert.Contains("phx_join", fake.Current.Sent.Single(), StringComparison.Ordinal);
    }
}
