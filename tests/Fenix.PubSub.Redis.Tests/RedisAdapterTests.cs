using System.Net;
using System.Net.Sockets;
using Fenix.PubSub.Specification;
using Fenix.Testing.Redis;
using Xunit;
using static Fenix.PubSub.Redis.Tests.RedisNodes;

namespace Fenix.PubSub.Redis.Tests;

/// <summary>What the Redis adapter does beyond the shared suite: filtering, counters, bad configuration, duplicate names.</summary>
public sealed class RedisAdapterTests : IAsyncLifetime
{
    private readonly RedisNodes _nodes = new(RedisTestServer.Configuration, RedisTestServer.NewPrefix("adapter"));

    public async ValueTask InitializeAsync() => await RedisTestServer.EnsureAnsweringAsync();

    public ValueTask DisposeAsync() => _nodes.DisposeAsync();

    [Fact]
    public async Task Broadcasts_on_topics_without_local_subscribers_arrive_but_are_never_decoded()
    {
        var (a, _) = await _nodes.StartAsync("a");
        var (b, bAdapter) = await _nodes.StartAsync("b");
        var decoder = new CountingDecoder();
        b.RegisterDecoder(decoder);
        var wanted = Subscribe(b, "wanted");
        var barrier = Subscribe(b, "barrier");

        a.Broadcast($"unwanted:{Guid.NewGuid():N}", new ConformanceMessage("nobody here wants it"));
        a.Broadcast("wanted", new ConformanceMessage("at once"));
        a.Broadcast("barrier", new ConformanceMessage("barrier"));

        await wanted.WaitForAsync("at once");
        await barrier.WaitForAsync("barrier");
        Assert.Equal(2, decoder.Decoded); // the unwanted one arrived in the same channel, and was skipped before decoding
        Assert.Equal(3, bAdapter.Counters.Received);
    }

    [Fact]
    public async Task Direct_messages_for_another_node_are_neither_received_nor_decoded_there()
    {
        var (a, _) = await _nodes.StartAsync("a");
        var (b, bAdapter) = await _nodes.StartAsync("b");
        var (c, _) = await _nodes.StartAsync("c");
        var onB = Subscribe(b, "direct");
        var onC = Subscribe(c, "direct");

        a.DirectBroadcast(c.NodeName, "direct", new ConformanceMessage("for c"));
        a.Broadcast("direct", new ConformanceMessage("for all"));

        await onB.WaitForAsync("for all");
        await onC.WaitForAsync("for all");
        Assert.Equal(["for all"], onB.Texts);
        Assert.Equal(["for c", "for all"], onC.Texts);
        Assert.Equal(1, bAdapter.Counters.Received);
    }

    [Fact]
    public async Task Counters_count_published_received_and_batches()
    {
        var (a, aAdapter) = await _nodes.StartAsync("a");
        var (b, bAdapter) = await _nodes.StartAsync("b");
        var subscriber = Subscribe(b, "counted");

        for (var i = 0; i < 500; i++)
        {
            a.Broadcast("counted", new ConformanceMessage($"m{i}"));
        }

        await subscriber.WaitForCountAsync(500);
        await WaitUntilAsync(() => aAdapter.Counters.Published == 500, "500 published");
        var published = aAdapter.Counters;
        Assert.InRange(published.Batches, 1, 500);
        Assert.Equal(0, published.Dropped);
        Assert.Equal(500, bAdapter.Counters.Received);
    }

    [Theory]
    [InlineData("", "is not set")]
    [InlineData("127.0.0.1:6379,foo=bar", "Keyword 'foo' is not supported")]
    [InlineData("127.0.0.1:70000", "cannot be parsed")]
    [InlineData("127.0.0.1:6379,connectTimeout=soon", "connectTimeout")]
    [InlineData("127.0.0.1:abc", "names no usable endpoint")]
    [InlineData("redis://127.0.0.1:6379", "not a URI")]
    public void A_bad_configuration_string_fails_at_once_with_a_message_that_says_what_to_fix(string configuration, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new RedisAdapter("n", new RedisAdapterOptions { Configuration = configuration }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Fenix:Redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_never_appears_in_an_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new RedisAdapter("n", new RedisAdapterOptions { Configuration = "127.0.0.1:6379,password=s3cret,foo=bar" }));
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        Assert.Contains("password=***", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_where_something_else_answers_fails_the_start_with_a_clear_error_instead_of_retrying()
    {
        using var impostor = new TcpListener(IPAddress.Loopback, 0);
        impostor.Start();
        var port = ((IPEndPoint)impostor.LocalEndpoint).Port;
        var answering = Task.Run(async () =>
        {
            using var client = await impostor.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.ReadAtLeastAsync(new byte[6], 6, throwOnEndOfStream: false);
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray());
        });
        var adapter = new RedisAdapter("n", new RedisAdapterOptions { Configuration = $"127.0.0.1:{port}" });
        await using var pubSub = new FenixPubSub(adapter);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pubSub.StartAsync(Cancel()));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not Redis", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 400", error.Message, StringComparison.Ordinal);
        await answering;
    }

    [Fact]
    public async Task A_second_process_with_the_same_node_name_is_reported_as_an_error()
    {
        await _nodes.StartAsync("twin", o => o.ProbeInterval = TimeSpan.FromMilliseconds(50));
        await _nodes.StartAsync("twin", o => o.ProbeInterval = TimeSpan.FromMilliseconds(50));

        await WaitUntilAsync(() => _nodes.Logged(6010), "the duplicate node name to be logged");
        Assert.Contains(_nodes.Logs.Errors, e => e.EventId.Id == 6010 && e.Message.Contains("twin", StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_out_of_range_fail_with_the_name_of_the_setting()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RedisAdapter("n", new RedisAdapterOptions { Configuration = RedisTestServer.Configuration, MaxPendingPublishes = 0 }));
        Assert.Equal("MaxPendingPublishes", error.ParamName);
    }

    private sealed class CountingDecoder : IPubSubMessageDecoder
    {
        private int _decoded;

        public int Decoded => Volatile.Read(ref _decoded);

        public string Codec => ConformanceMessage.CodecName;

        public object Decode(string topic, ReadOnlyMemory<byte> bytes)
        {
            Interlocked.Increment(ref _decoded);
            return new ConformanceMessageDecoder().Decode(topic, bytes);
        }
    }
}
