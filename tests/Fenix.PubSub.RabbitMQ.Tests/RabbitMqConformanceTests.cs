using Fenix.PubSub.Specification;
using Fenix.Testing.RabbitMQ;

namespace Fenix.PubSub.RabbitMQ.Tests;

/// <summary>The adapter conformance suite with the default routing (every broadcast to every node).</summary>
public sealed class RabbitMqFanoutConformanceTests() : RabbitMqConformanceTests(RabbitMqRouting.Fanout);

/// <summary>The adapter conformance suite with a binding per topic (broadcasts only to subscribed nodes).</summary>
public sealed class RabbitMqPerTopicConformanceTests() : RabbitMqConformanceTests(RabbitMqRouting.PerTopic);

/// <summary>The adapter conformance suite with every node on its own connection to the real broker.</summary>
public abstract class RabbitMqConformanceTests(RabbitMqRouting routing) : PubSubAdapterConformance
{
    private readonly string _prefix = RabbitMqBroker.NewPrefix("conformance");
    private IAsyncDisposable? _broker;

    protected override int MaxNodes => 3;

    /// <summary>A real broker on a 2-core CI machine running every test assembly at once: only bounds a failing wait.</summary>
    protected override TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(30);

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _broker = await RabbitMqBroker.ShareAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await RabbitMqBroker.DeleteExchangeAsync(_prefix);
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A node waits at its start until it joined (at most <see cref="DeliveryTimeout"/>): one that started alone drops what it sends.</summary>
    protected override IPubSubAdapter CreateAdapter(string nodeName) =>
        new RabbitMqAdapter(nodeName, new RabbitMqAdapterOptions { Uri = RabbitMqBroker.Uri, Prefix = _prefix, Routing = routing, UnbindDelay = TimeSpan.Zero, StartupTimeout = DeliveryTimeout });

    protected override async Task SettleAsync(IReadOnlyList<ConformanceNode> nodes)
    {
        using var timeout = new CancellationTokenSource(DeliveryTimeout);
        foreach (var node in nodes)
        {
            await ((RabbitMqAdapter)node.Adapter).FlushTopologyAsync(timeout.Token);
        }
    }
}
