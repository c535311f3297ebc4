using System.Collections.Concurrent;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.AspNetCore.Tests.Sessions;

/// <summary>
/// A client event for an idle channel is handled by the thread that routed it (no thread-pool hop): it must still run
/// as a mailbox drain would — in the pool's default execution context, in order with everything else the channel gets.
/// </summary>
public sealed class ClaimedEventTests : IAsyncLifetime
{
    private static readonly AsyncLocal<string> Ambient = new();

    private readonly ClaimProbe _probe = new();
    private readonly ChannelTestHost _host;

    public ClaimedEventTests() => _host = new ChannelTestHost(services => services.AddSingleton(_probe)) { AssertTimeout = Patience.Default };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task An_event_does_not_see_the_async_locals_of_the_thread_that_routed_it()
    {
        var socket = _host.Socket<ClaimSocket>();
        await socket.JoinOkAsync("claim:ctx");

        Ambient.Value = "routing thread"; // e.g. the HTTP request a WebSocket's receive loop runs in
        var first = socket.Push("claim:ctx", "ambient");
        var second = socket.Push("claim:ctx", "ambient");

        Assert.Equal("routing thread", Ambient.Value); // and the caller's own context is given back
        await socket.AssertReplyAsync(first, "ok", new { ambient = "none" });
        await socket.AssertReplyAsync(second, "ok", new { ambient = "none" });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Events_and_the_infos_they_send_keep_their_order_whether_handlers_complete_at_once_or_wait(int seed)
    {
        var random = new Random(seed);
        var socket = _host.Socket<ClaimSocket>();
        await socket.JoinOkAsync("claim:order");

        const int count = 200;
        var refs = new string[count];
        for (var n = 0; n < count; n++)
        {
            // Some handlers wait (the rest of the drain moves to the pool), some post an info to their own channel
            // (queued behind the drain the routing thread holds), the rest complete at once.
            var mode = random.Next(3) switch { 0 => "wait", 1 => "info", _ => "now" };
            refs[n] = socket.Push("claim:order", "step", new { n, mode });
            if (random.Next(8) == 0)
            {
                await Task.Yield(); // let a drain that moved to the pool run against the next pushes
            }
        }

        for (var n = 0; n < count; n++)
        {
            await socket.AssertReplyAsync(refs[n], "ok", new { n });
        }

        var wanted = refs.ToHashSet();
        Assert.Equal(refs, socket.Received.Where(f => f.IsReply && wanted.Contains(f.Ref!)).Select(f => f.Ref));

        var barrier = socket.Push("claim:order", "ambient");
        await socket.AssertReplyAsync(barrier, "ok", new { ambient = "none" }); // every info was handled before this

        var seen = _probe.Seen.ToArray();
        var events = seen.Where(s => s.StartsWith("in:", StringComparison.Ordinal)).Select(s => int.Parse(s[3..])).ToArray();
        Assert.Equal(Enumerable.Range(0, count), events);
        var infos = seen.Where(s => s.StartsWith("info:", StringComparison.Ordinal)).Select(s => int.Parse(s[5..])).ToArray();
        Assert.Equal(infos.Order(), infos);
        foreach (var n in infos)
        {
            Assert.True(Array.IndexOf(seen, $"in:{n}") < Array.IndexOf(seen, $"info:{n}"), $"info {n} was handled before the event that sent it");
        }
    }

    public sealed class ClaimProbe
    {
        public ConcurrentQueue<string> Seen { get; } = new();
    }

    public sealed class ClaimSocket : FenixSocket
    {
        public ClaimSocket() => Channel<ClaimChannel>("claim:*");

        public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
            ConnectResult.Accept();
    }

    /// <summary>Records what it handles; one mailbox, so any reordering shows in the probe.</summary>
    public sealed class ClaimChannel(ClaimProbe probe) : Channel
    {
        public override ValueTask<JoinResult> JoinAsync(Payload payload) => JoinResult.Ok();

        public override async ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
        {
            if (@event == "ambient")
            {
                return HandleInResult.Ok(new { ambient = Ambient.Value ?? "none" });
            }

            var n = payload.Json.GetProperty("n").GetInt32();
            var mode = payload.Json.GetProperty("mode").GetString();
            probe.Seen.Enqueue($"in:{n}");
            if (mode == "wait")
            {
                await Task.Yield();
            }
            else if (mode == "info")
            {
                Send(n);
            }

            return HandleInResult.Ok(new { n });
        }

        public override ValueTask HandleInfoAsync(object message)
        {
            probe.Seen.Enqueue($"info:{message}");
            return ValueTask.CompletedTask;
        }
    }
}
