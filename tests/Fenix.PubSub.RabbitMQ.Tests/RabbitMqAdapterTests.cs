using Fenix.PubSub.Specification;
using Fenix.Testing.RabbitMQ;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Fenix.PubSub.RabbitMQ.Tests;

/// <summary>What the RabbitMQ adapter does beyond the shared suite: bindings, long topics, counters, a missing broker.</summary>
public sealed class RabbitMqAdapterTests : IAsyncLifetime
{
    /// <summary>Bounds a wait on the real broker (only a failing one: a passing wait returns at once).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _prefix = RabbitMqBroker.NewPrefix("adapter");
    private readonly List<IAsyncDisposable> _disposables = [];
    private IAsyncDisposable? _broker;

    public async ValueTask InitializeAsync() => _broker = await RabbitMqBroker.ShareAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }

        await RabbitMqBroker.DeleteExchangeAsync(_prefix);
        await _broker!.DisposeAsync();
    }

    [Fact]
    public async Task Unsubscribing_removes_the_binding_so_broadcasts_stop_reaching_the_node()
    {
        var (a, _) = await StartAsync("a", PerTopic);
        var (b, bAdapter) = await StartAsync("b", PerTopic);
        var topic = $"room:{Guid.NewGuid():N}";
        var subscriber = Subscribe(b, topic);
        var barrier = Subscribe(b, "barrier");
        await bAdapter.FlushTopologyAsync(Cancel());
        a.Broadcast(topic, new ConformanceMessage("bound"));
        await subscriber.WaitForAsync("bound");

        b.Unsubscribe(topic, subscriber);
        await bAdapter.FlushTopologyAsync(Cancel());
        var received = bAdapter.Counters.Received;
        for (var i = 0; i < 5; i++)
        {
            a.Broadcast(topic, new ConformanceMessage($"unbound {i}"));
        }

        a.Broadcast("barrier", new ConformanceMessage("barrier"));
        await barrier.WaitForAsync("barrier");

        Assert.Equal(received + 1, bAdapter.Counters.Received); // the barrier only: the broker no longer routes the topic here
        Assert.Equal(["bound"], subscriber.Texts);
    }

    [Fact]
    public async Task A_quick_resubscribe_keeps_the_lingering_binding_and_it_goes_after_the_delay()
    {
        var clock = new FakeTimeProvider();
        var (b, adapter) = await StartAsync(
            "b",
            o =>
            {
                o.Routing = RabbitMqRouting.PerTopic;
                o.UnbindDelay = TimeSpan.FromMilliseconds(300);
            },
            clock);
        var topic = $"room:{Guid.NewGuid():N}";
        var subscriber = Subscribe(b, topic);
        await adapter.FlushTopologyAsync(Cancel());
        var afterBind = adapter.Counters.BindingOperations;

        b.Unsubscribe(topic, subscriber);
        b.Subscribe(topic, subscriber); // within the delay: no broker round trip at all
        await adapter.FlushTopologyAsync(Cancel());
        clock.Advance(TimeSpan.FromMilliseconds(600)); // past the delay: the lingering entry finds the topic active again

        // A barrier: the binder takes the due lingering entry with the next change, and the flush waits for both.
        Subscribe(b, $"room:{Guid.NewGuid():N}");
        await adapter.FlushTopologyAsync(Cancel());
        Assert.Equal(afterBind + 1, adapter.Counters.BindingOperations); // the other topic's bind only: no unbind, no rebind

        b.Unsubscribe(topic, subscriber);
        clock.Advance(TimeSpan.FromMilliseconds(300));
        await WaitUntilAsync(() => adapter.Counters.BindingOperations == afterBind + 2, "the unbind after the delay");
    }

    [Fact]
    public async Task With_fanout_routing_a_subscription_takes_effect_at_once_without_broker_work()
    {
        var (a, _) = await StartAsync("a");
        var (b, bAdapter) = await StartAsync("b");
        var topic = $"room:{Guid.NewGuid():N}";
        var elsewhere = Subscribe(b, "barrier");

        var subscriber = Subscribe(b, topic); // no flush: b's queue already receives every broadcast
        a.Broadcast($"unwanted:{Guid.NewGuid():N}", new ConformanceMessage("nobody here wants it"));
        a.Broadcast(topic, new ConformanceMessage("at once"));
        a.Broadcast("barrier", new ConformanceMessage("barrier"));

        await subscriber.WaitForAsync("at once");
        await elsewhere.WaitForAsync("barrier");
        Assert.Equal(0, bAdapter.Counters.BindingOperations);
        Assert.Equal(3, bAdapter.Counters.Received); // the unwanted one arrived too, and was skipped before decoding
    }

    [Fact]
    public async Task Topics_longer_than_a_routing_key_are_delivered_by_their_hash()
    {
        var (a, _) = await StartAsync("a", PerTopic);
        var (b, bAdapter) = await StartAsync("b", PerTopic);
        var common = new string('x', 300);
        var first = Subscribe(b, common + ":1");
        var second = Subscribe(b, common + ":2");
        await bAdapter.FlushTopologyAsync(Cancel());

        a.Broadcast(common + ":1", new ConformanceMessage("one"));
        a.Broadcast(common + ":2", new ConformanceMessage("two"));

        await first.WaitForAsync("one");
        await second.WaitForAsync("two");
        Assert.Equal(["one"], first.Texts);
        Assert.Equal(["two"], second.Texts);
    }

    [Fact]
    public async Task Counters_count_published_received_and_batches()
    {
        var (a, aAdapter) = await StartAsync("a");
        var (b, bAdapter) = await StartAsync("b");
        var subscriber = Subscribe(b, "counted");
        await bAdapter.FlushTopologyAsync(Cancel());

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

    [Fact]
    public async Task Without_a_broker_the_node_starts_alone_drops_remote_messages_and_delivers_locally()
    {
        var options = new RabbitMqAdapterOptions
        {
            Uri = new Uri("amqp://guest:guest@127.0.0.1:1/"), // nothing listens there
            Prefix = _prefix,
            StartupTimeout = TimeSpan.FromMilliseconds(300),
        };
        var adapter = new RabbitMqAdapter("alone", options);
        var pubSub = new FenixPubSub(adapter);
        _disposables.Add(pubSub);
        pubSub.RegisterDecoder(new ConformanceMessageDecoder());
        var started = System.Diagnostics.Stopwatch.StartNew();
        await pubSub.StartAsync(Cancel());
        Assert.True(started.Elapsed < Timeout, $"StartAsync took {started.Elapsed}");
        var subscriber = new RecordingSubscriber("local", Timeout);
        pubSub.Subscribe("topic", subscriber);

        pubSub.Broadcast("topic", new ConformanceMessage("local"));
        pubSub.DirectBroadcast("elsewhere", "topic", new ConformanceMessage("remote"));

        Assert.Equal(["local"], subscriber.Texts);
        Assert.False(adapter.IsConnected);
        Assert.Equal(2, adapter.Counters.Dropped);
        var disposing = System.Diagnostics.Stopwatch.StartNew();
        await pubSub.DisposeAsync();
        Assert.True(disposing.Elapsed < Timeout, $"DisposeAsync took {disposing.Elapsed}");
    }

    [Fact]
    public async Task A_second_node_with_the_same_name_cannot_take_the_first_ones_queue()
    {
        var (a, _) = await StartAsync("a");
        var (b, bAdapter) = await StartAsync("b");
        var subscriber = Subscribe(b, "same-name");
        await bAdapter.FlushTopologyAsync(Cancel());
        var (_, impostor) = await StartAsync("b", o => o.StartupTimeout = TimeSpan.FromMilliseconds(500));

        a.Broadcast("same-name", new ConformanceMessage("for the first b"));

        await subscriber.WaitForAsync("for the first b");
        Assert.True(bAdapter.IsConnected);
        Assert.False(impostor.IsConnected);
    }

    [Fact]
    public void Settings_out_of_range_fail_with_a_message_that_says_what_to_fix()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => new RabbitMqAdapter("n", new RabbitMqAdapterOptions()));
        Assert.Contains("Fenix:RabbitMQ", missing.Message, StringComparison.Ordinal);
        var scheme = Assert.Throws<InvalidOperationException>(() => new RabbitMqAdapter("n", new RabbitMqAdapterOptions { Uri = new Uri("http://localhost/") }));
        Assert.Contains("amqp://", scheme.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RabbitMqAdapter(new string('n', 300), new RabbitMqAdapterOptions { Uri = RabbitMqBroker.Uri }));
    }

    private static void PerTopic(RabbitMqAdapterOptions options) => options.Routing = RabbitMqRouting.PerTopic;

    private async Task<(FenixPubSub PubSub, RabbitMqAdapter Adapter)> StartAsync(string node, Action<RabbitMqAdapterOptions>? configure = null, TimeProvider? time = null)
    {
        // Waits at its start until it joined (a node that started alone drops what it sends), unless the test says otherwise.
        var options = new RabbitMqAdapterOptions { Uri = RabbitMqBroker.Uri, Prefix = _prefix, UnbindDelay = TimeSpan.Zero, StartupTimeout = Timeout };
        configure?.Invoke(options);
        var adapter = new RabbitMqAdapter(node, options, time: time);
        var pubSub = new FenixPubSub(adapter);
        _disposables.Add(pubSub);
        pubSub.RegisterDecoder(new ConformanceMessageDecoder());
        await pubSub.StartAsync(Cancel());
        return (pubSub, adapter);
    }

    private static RecordingSubscriber Subscribe(FenixPubSub pubSub, string topic)
    {
        var subscriber = new RecordingSubscriber($"{pubSub.NodeName}/{topic}", Timeout);
        pubSub.Subscribe(topic, subscriber);
        return subscriber;
    }

    private static CancellationToken Cancel() => new CancellationTokenSource(Timeout).Token;

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
