using System.Diagnostics;
using Fenix.PubSub.Specification;
using Fenix.Testing.Redis;
using Xunit;
using static Fenix.PubSub.Redis.Tests.RedisNodes;

namespace Fenix.PubSub.Redis.Tests;

/// <summary>
/// Redis going away, stalling, dropping the subscription, or coming late: each test runs a redis-server of its own on a
/// free port, so it can kill and restart it without touching the Redis other tests share.
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private OwnedRedisServer _server = null!;
    private RedisNodes _nodes = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await OwnedRedisServer.StartNewAsync();
        _nodes = new RedisNodes(_server.Configuration, RedisTestServer.NewPrefix("outage"));
    }

    public async ValueTask DisposeAsync()
    {
        await _nodes.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Nodes_survive_a_Redis_restart_delivering_locally_meanwhile_and_resume_across_nodes()
    {
        var (a, aAdapter) = await _nodes.StartAsync("a");
        var (b, bAdapter) = await _nodes.StartAsync("b");
        var before = Subscribe(b, "before");
        var local = Subscribe(a, "local");
        a.Broadcast("before", new ConformanceMessage("up"));
        await before.WaitForAsync("up");

        await _server.KillAsync();
        await WaitUntilAsync(() => !aAdapter.IsConnected && !bAdapter.IsConnected, "both nodes to notice the outage");
        var during = Subscribe(b, "during"); // subscribed while Redis is away
        a.Broadcast("local", new ConformanceMessage("local during the outage"));
        a.Broadcast("before", new ConformanceMessage("lost"));
        Assert.Equal(["local during the outage"], local.Texts);
        Assert.True(aAdapter.Counters.Dropped >= 1);

        await _server.StartAsync();
        await aAdapter.WaitForConnectionAsync(Cancel());
        await bAdapter.WaitForConnectionAsync(Cancel());

        a.Broadcast("before", new ConformanceMessage("after"));
        a.Broadcast("during", new ConformanceMessage("new topic"));
        await before.WaitForAsync("after");
        await during.WaitForAsync("new topic");
        Assert.Equal(["up", "after"], before.Texts); // nothing from the outage is delivered late
        Assert.Equal((1, 1), (aAdapter.Counters.Reconnects, bAdapter.Counters.Reconnects));
        // The rejoin is logged by the supervisor after the link is up again, so it may trail the deliveries above.
        await WaitUntilAsync(() => _nodes.Logged(6002) && _nodes.Logged(6005), "the loss and the rejoin to be logged");
    }

    [Fact]
    public async Task Without_Redis_at_start_the_node_serves_alone_logs_it_and_joins_when_Redis_comes()
    {
        await _server.KillAsync(); // the port stays reserved for this test: nothing listens there now
        var (a, aAdapter) = await _nodes.StartAsync("a", o => o.StartupTimeout = TimeSpan.FromMilliseconds(300), expectConnected: false);
        var local = Subscribe(a, "topic");

        a.Broadcast("topic", new ConformanceMessage("local"));
        a.DirectBroadcast("elsewhere", "topic", new ConformanceMessage("remote"));

        Assert.Equal(["local"], local.Texts);
        Assert.False(aAdapter.IsConnected);
        Assert.Equal(2, aAdapter.Counters.Dropped);
        await WaitUntilAsync(() => _nodes.Logged(6009), "starting without Redis to be logged");

        await _server.StartAsync();
        await aAdapter.WaitForConnectionAsync(Cancel());
        var (b, _) = await _nodes.StartAsync("b");
        var remote = Subscribe(b, "topic");
        a.Broadcast("topic", new ConformanceMessage("joined"));
        await remote.WaitForAsync("joined");
        await WaitUntilAsync(() => _nodes.Logged(6001), "joining the cluster to be logged");
    }

    [Fact]
    public async Task A_killed_subscription_is_noticed_and_the_node_resubscribes()
    {
        var (a, _) = await _nodes.StartAsync("a");
        var (b, bAdapter) = await _nodes.StartAsync("b");
        var subscriber = Subscribe(b, "topic");
        a.Broadcast("topic", new ConformanceMessage("before"));
        await subscriber.WaitForAsync("before");

        await RedisCliAsync(_server.Port, "CLIENT", "KILL", "TYPE", "pubsub"); // Redis drops every subscriber connection

        await WaitUntilAsync(() => bAdapter.Counters.Reconnects >= 1 && bAdapter.IsConnected, "b to rejoin after losing its subscription");
        await WaitUntilAsync(() => a.Adapter is RedisAdapter { IsConnected: true }, "a to rejoin");
        a.Broadcast("topic", new ConformanceMessage("after"));
        await subscriber.WaitForAsync("after");
    }

    [Fact]
    public async Task A_stalled_Redis_costs_at_most_the_outgoing_bound_and_the_probe_takes_the_node_out_until_it_answers()
    {
        var (a, aAdapter) = await _nodes.StartAsync("a", o =>
        {
            o.MaxOutgoingBytes = 64 * 1024;
            o.MaxPendingPublishes = 2;
            o.ProbeInterval = TimeSpan.FromMilliseconds(200);
            o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
        });
        var (b, _) = await _nodes.StartAsync("b");
        var subscriber = Subscribe(b, "topic");
        var local = Subscribe(a, "topic");

        await SignalAsync(_server, "STOP"); // Redis freezes: connections stay open, nothing is answered
        try
        {
            var payload = new string('x', 1000);
            for (var i = 0; i < 1000; i++)
            {
                a.Broadcast("topic", new ConformanceMessage(payload)); // never waits, whatever Redis does
            }

            Assert.Equal(1000, local.Texts.Count); // local delivery does not depend on Redis
            Assert.True(aAdapter.Counters.Dropped > 0, "beyond the outgoing bound, messages are dropped");
            await WaitUntilAsync(() => !aAdapter.IsConnected, "the probe to take the node out of the cluster");
        }
        finally
        {
            await SignalAsync(_server, "CONT");
        }

        await aAdapter.WaitForConnectionAsync(Cancel());
        a.Broadcast("topic", new ConformanceMessage("after the stall"));
        await subscriber.WaitForAsync("after the stall");
    }

    private static async Task SignalAsync(OwnedRedisServer server, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", server.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    private static async Task<string> RedisCliAsync(int port, params string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
