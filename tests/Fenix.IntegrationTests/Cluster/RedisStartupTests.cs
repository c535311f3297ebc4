using System.Net;
using System.Net.Sockets;
using Fenix.IntegrationTests.Infrastructure;
using Fenix.Testing.Redis;
using Xunit;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>
/// Chat processes started against a Redis that is not there yet (they serve locally and join when it comes) or against a
/// bad configuration (they stop at once with an error that says what to fix, instead of hanging or retrying forever).
/// </summary>
public sealed class RedisStartupTests
{
    private readonly string _prefix = RedisTestServer.NewPrefix("startup");

    [Fact]
    public async Task A_node_started_before_Redis_serves_its_clients_says_so_and_joins_when_Redis_comes()
    {
        await using var redis = OwnedRedisServer.Reserve(); // its port, with nothing listening yet
        await using var early = await ServerProcess.StartAsync("Chat", null, Arguments(redis, "early", "--Fenix:Redis:StartupTimeout", "00:00:01"));
        Assert.Contains("starts alone and joins the cluster when Redis answers", early.Output, StringComparison.Ordinal);

        await using var js = await Infrastructure.JsClient.StartAsync();
        var ann = await JoinLobbyAsync(js, early, "ann");
        var amy = await JoinLobbyAsync(js, early, "amy");
        await js.PushAsync(ann, "new_msg", new { body = "without redis" });
        await js.WaitForAsync(Eventually.Message(amy, "new_msg", "without redis"), "local delivery without Redis");

        await redis.StartAsync();
        await using var late = await ServerProcess.StartAsync("Chat", null, Arguments(redis, "late"));
        var bob = await JoinLobbyAsync(js, late, "bob");
        await Eventually.RetryAsync(
            i => js.PushAsync(ann, "new_msg", new { body = $"joined {i}" }),
            window => Eventually.SeenAsync(js, Eventually.Message(bob, "new_msg", "joined"), window),
            "the early node's broadcasts to reach the late node once Redis is up",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_unparsable_configuration_string_stops_the_start_with_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync("Chat", null, "--Fenix:Redis", "127.0.0.1:6379,foo=bar", "--Fenix:Node", "bad"));

        Assert.Contains("Chat exited", error.Message, StringComparison.Ordinal);
        Assert.Contains("Keyword 'foo' is not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("Fenix:Redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_where_something_else_listens_stops_the_start_with_a_clear_error()
    {
        using var web = new TcpListener(IPAddress.Loopback, 0); // e.g. the app's own HTTP port given by mistake
        web.Start();
        var port = ((IPEndPoint)web.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var answering = AnswerLikeAWebServerAsync(web, stop.Token);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync("Chat", null, "--Fenix:Redis", $"127.0.0.1:{port}", "--Fenix:Node", "wrong-port"));

        Assert.Contains("Chat exited", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not Redis", error.Message, StringComparison.Ordinal);
        await stop.CancelAsync();
        await answering;
    }

    private string[] Arguments(OwnedRedisServer redis, string node, params string[] extra) =>
        ["--Fenix:Redis", redis.Configuration, "--Fenix:Redis:Prefix", _prefix, "--Fenix:Redis:ReconnectDelayMax", "00:00:01", "--Fenix:Node", $"{node}-{_prefix}", .. extra];

    private static async Task<string> JoinLobbyAsync(Infrastructure.JsClient js, ServerProcess node, string user)
    {
        var socket = await js.ConnectOpenAsync(node.BaseUri, "/socket", new { user });
        var channel = await js.JoinAsync(socket, "rooms:lobby");
        await js.WaitForJoinAsync(channel);
        return channel;
    }

    private static async Task AnswerLikeAWebServerAsync(TcpListener listener, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop);
                var stream = client.GetStream();
                await stream.ReadAtLeastAsync(new byte[6], 6, throwOnEndOfStream: false, stop);
                await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), stop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
    }
}
