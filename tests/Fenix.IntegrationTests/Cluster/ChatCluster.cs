using Fenix.IntegrationTests.Infrastructure;
using Fenix.Testing.RabbitMQ;
using Xunit;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>
/// Chat sample processes joined through the local RabbitMQ broker (<c>--Fenix:RabbitMQ</c>, <c>--Fenix:Node</c>), each
/// on its own port, plus a <see cref="ClusterProbe"/> node inside the test process. Every cluster has its own broker
/// prefix, so clusters of concurrent test classes never see each other.
/// </summary>
public abstract class ChatCluster : IAsyncLifetime
{
    private readonly int _size;
    private readonly bool _exclusiveBroker;
    private readonly string[] _extraArguments;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<ServerProcess> _nodes = [];
    private IAsyncDisposable? _broker;

    protected ChatCluster(int size, bool exclusiveBroker, params string[] extraArguments)
    {
        _size = size;
        _exclusiveBroker = exclusiveBroker;
        _extraArguments = extraArguments;
        Prefix = RabbitMqBroker.NewPrefix($"chat-{_run}");
    }

    public string Prefix { get; }

    /// <summary>The nodes, in start order (node 0 is "chat1").</summary>
    public IReadOnlyList<ServerProcess> Nodes => _nodes;

    public ClusterProbe Probe { get; private set; } = null!;

    public string NodeName(int index) => $"chat{index + 1}-{_run}";

    public async ValueTask InitializeAsync()
    {
        _broker = _exclusiveBroker ? await RabbitMqBroker.ExclusiveAsync() : await RabbitMqBroker.ShareAsync();
        _nodes.Add(await ServerProcess.StartAsync("Chat", null, Arguments(0)));

        // Long-poll tokens must verify on every node: let the first node create the shared Data Protection key (if none
        // exists yet) before the others start and load the key ring.
        using (var warmUp = new LongPollTestClient(_nodes[0].BaseUri, "/socket", query: "user=warm-up"))
        {
            await warmUp.OpenAsync();
        }

        var others = Enumerable.Range(1, _size - 1).Select(i => ServerProcess.StartAsync("Chat", null, Arguments(i))).ToList();
        _nodes.AddRange(await Task.WhenAll(others));
        Probe = await ClusterProbe.StartAsync(Prefix, $"probe-{_run}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (Probe is not null)
        {
            await Probe.DisposeAsync();
        }

        await RabbitMqBroker.DeleteExchangeAsync(Prefix);
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Restarts a killed node on its port, with the same name and arguments.</summary>
    public Task RestartAsync(int index) => _nodes[index].StartAsync();

    private string[] Arguments(int index) =>
    [
        "--Fenix:RabbitMQ", RabbitMqBroker.Uri.ToString(),
        "--Fenix:RabbitMQ:Prefix", Prefix,
        "--Fenix:RabbitMQ:ReconnectDelayMax", "00:00:01",
        "--Fenix:Node", NodeName(index),
        .. _extraArguments,
    ];
}

/// <summary>Three Chat nodes sharing the broker with other tests (default routing: every broadcast to every node).</summary>
public sealed class ThreeNodeChatCluster() : ChatCluster(3, exclusiveBroker: false);

/// <summary>
/// Three Chat nodes with quick presence gossip: a heartbeat at least every 0.9 s and a silent node down after
/// <see cref="DownPeriod"/> (Phoenix: 1.5 s ticks, down after 30 s).
/// </summary>
public sealed class PresenceChatCluster() : ChatCluster(
    3,
    exclusiveBroker: false,
    "--Fenix:Presence:BroadcastPeriod", "00:00:00.300",
    "--Fenix:Presence:MaxSilentPeriods", "2",
    "--Fenix:Presence:DownPeriod", "00:00:03")
{
    public static readonly TimeSpan DownPeriod = TimeSpan.FromSeconds(3);
}

/// <summary>
/// Two Chat nodes that own the broker: their tests stop and start it. They bind per topic, so a broker restart also
/// proves that every active topic is bound again.
/// </summary>
public sealed class OutageChatCluster() : ChatCluster(2, exclusiveBroker: true, "--Fenix:RabbitMQ:Routing", "PerTopic");
