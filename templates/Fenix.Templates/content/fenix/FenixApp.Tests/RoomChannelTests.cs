using Fenix;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FenixApp.Tests;

/// <summary>The room channel, driven through Fenix.Testing's in-memory transport (no network).</summary>
public sealed class RoomChannelTests : IAsyncLifetime
{
    private readonly ChannelTestHost _host = new(services => services.AddFenix().AddPresence());

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Joining_tracks_the_user_and_pushes_the_presence_state()
    {
        var ann = _host.Socket<UserSocket>(("user", "ann"));

        var reply = await ann.JoinOkAsync("room:lobby");

        Assert.Equal("ann", reply.Json.GetProperty("user").GetString());
        var state = await ann.AssertPushAsync("presence_state", payload => payload.Json.TryGetProperty("ann", out _));
        Assert.Equal(1, state.Payload.Json.GetProperty("ann").GetProperty("metas").GetArrayLength());
    }

    [Fact]
    public async Task A_message_is_broadcast_to_the_room_with_its_author()
    {
        var ann = _host.Socket<UserSocket>(("user", "ann"));
        var bob = _host.Socket<UserSocket>(("user", "bob"));
        await ann.JoinOkAsync("room:lobby");
        await bob.JoinOkAsync("room:lobby");

        ann.Push("room:lobby", "new_msg", new { body = "  hello  " });

        await ann.AssertBroadcastAsync("new_msg", new { user = "ann", body = "hello" });
        await bob.AssertPushAsync("new_msg", new { user = "ann", body = "hello" });
    }

    [Fact]
    public async Task An_empty_message_is_refused_with_a_reason()
    {
        var ann = _host.Socket<UserSocket>(("user", "ann"));
        await ann.JoinOkAsync("room:lobby");

        var @ref = ann.Push("room:lobby", "new_msg", new { body = " " });

        await ann.AssertReplyAsync(@ref, "error", new { reason = $"a body of 1 to {RoomChannel.MaxMessageLength} characters, please" });
    }

    [Fact]
    public async Task Ping_is_answered_with_its_payload()
    {
        var ann = _host.Socket<UserSocket>(("user", "ann"));
        await ann.JoinOkAsync("room:lobby");

        var @ref = ann.Push("room:lobby", "ping", new { sentAt = 12.5 });

        await ann.AssertReplyAsync(@ref, "ok", new { sentAt = 12.5 });
    }

    [Fact]
    public async Task A_server_broadcast_reaches_the_room()
    {
        var ann = _host.Socket<UserSocket>(("user", "ann"));
        await ann.JoinOkAsync("room:lobby");

        _host.Services.GetRequiredService<IFenixBroadcaster>().Broadcast("room:lobby", "new_msg", new { user = "server", body = "maintenance at noon" });

        await ann.AssertPushAsync("new_msg", new { user = "server", body = "maintenance at noon" });
    }
}
