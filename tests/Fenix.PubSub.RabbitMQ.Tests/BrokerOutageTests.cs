using Fenix.PubSub.Specification;
using Fenix.Testing.RabbitMQ;
using Xunit;

namespace Fenix.PubSub.RabbitMQ.Tests;

/// <summary>Tests that stop the broker run alone (here and, through a cross-process lock, in every test assembly).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerOutageCollection
{
    public const string Name = "broker outage";
}

/// <summary>A broker restart: local delivery goes on, nothing throws, nodes reconnect and bind their topics again.</summary>
[Collection(BrokerOutageCollection.Name)]
public sealed class BrokerOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _prefix = RabbitMqBroker.NewPrefix("outage");
    private readonly List<FenixPubSub> _nodes = [];
    private IAsyncDisposable? _broker;

    public async ValueTask InitializeAsync() => _broker = await RabbitMqBroker.ExclusiveAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!await RabbitMqBroker.AnswersAsync())
            {
                await RabbitMqBroker.StartAsync(); // never leave the broker stopped
            }

            foreach (var node in _nodes)
            {
                await node.DisposeAsync();
            }

            await RabbitMqBroker.DeleteExchangeAsync(_prefix);
        }
        finally
        {
            await _broker!.DisposeAsync();
        }
    }

    [Fact]
    public async Task Nodes_survive_a_broker_restart_and_resume_with_every_topic_bound_again()
    {
        var (a, aAdapter) = await StartAsync("a");
        var (b, bAdapter) = await StartAsync("b");
        var before = Subscribe(b, "before");
        var local = Subscribe(a, "local");
        await bAdapter.FlushTopologyAsync(Cancel());
        a.Broadcast("before", new ConformanceMessage("up"));
        await before.WaitForAsync("up");

        await RabbitMqBroker.StopAsync();
        await WaitUntilAsync(() => !aAdapter.IsConnected && !bAdapter.IsConnected, "both nodes to notice the outage");
        var during = Subscribe(b, "during"); // subscribed while the broker is away: bound when it returns
        a.Broadcast("local", new ConformanceMessage("local during the outage"));
        a.Broadcast("before", new ConformanceMessage("lost"));
        Assert.Equal(["local during the outage"], local.Texts);
        Assert.True(aAdapter.Counters.Dropped >= 1);

        await RabbitMqBroker.StartAsync();
        using var reconnect = new CancellationTokenSource(Timeout);
        await aAdapter.WaitForConnectionAsync(reconnect.Token);
        await bAdapter.WaitForConnectionAsync(reconnect.Token);
        await bAdapter.FlushTopologyAsync(reconnect.Token);

        a.Broadcast("before", new ConformanceMessage("after"));
        a.Broadcast("during", new ConformanceMessage("new topic"));
        await before.WaitForAsync("after");
        await during.WaitForAsync("new topic");
        Assert.Equal(["up", "after"], before.Texts);
        Assert.Equal((1, 1), (aAdapter.Counters.Reconnects, bAdapter.Counters.Reconnects));
    }

    private async Task<(FenixPubSub PubSub, RabbitMqAdapter Adapter)> StartAsync(string node)
    {
        var options = new RabbitMqAdapterOptions
        {
            Uri = RabbitMqBroker.Uri,
            Prefix = _prefix,
            ReconnectDelayMax = TimeSpan.FromMilliseconds(500),
        };
        var adapter = new RabbitMqAdapter(node, options);
        var pubSub = new FenixPubSub(adapter);
        _nodes.Add(pubSub);
        pubSub.RegisterDecoder(new ConformanceMessageDecoder());
        await pubSub.StartAsync(Cancel());
        Assert.True(adapter.IsConnected);
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
