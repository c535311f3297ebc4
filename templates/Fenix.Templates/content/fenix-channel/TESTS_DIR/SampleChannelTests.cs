using Fenix;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FenixApp.Tests;

public sealed class SampleChannelTests : IAsyncLifetime
{
    private readonly ChannelTestHost _host = new();
    private TestSocket _socket = null!;

    public async ValueTask InitializeAsync()
    {
        _socket = _host.Socket<SampleTestSocket>(("user", "ann"));
        await _socket.JoinOkAsync("sample:lobby");
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Ping_replies_with_its_payload()
    {
        var @ref = _socket.Push("sample:lobby", "ping", new { hello = "there" });

        await _socket.AssertReplyAsync(@ref, "ok", new { hello = "there" });
    }

    [Fact]
    public async Task Shout_is_broadcast_to_the_topic()
    {
        _socket.Push("sample:lobby", "shout", new { hello = "all" });

        await _socket.AssertBroadcastAsync("shout", new { hello = "all" });
    }

    [Fact]
    public async Task A_server_broadcast_is_pushed_to_the_client()
    {
        _host.Services.GetRequiredService<IFenixBroadcaster>().Broadcast("sample:lobby", "broadcast", new { some = "data" });

        await _socket.AssertPushAsync("broadcast", new { some = "data" });
    }

    /// <summary>Routes the channel's topics the way the app's socket does, so the channel is tested on its own.</summary>
    private sealed class SampleTestSocket : FenixSocket
    {
        public SampleTestSocket() => Channel<SampleChannel>("sample:*");
    }
}
