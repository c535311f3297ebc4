using Fenix.IntegrationTests.Cluster.Backends;
using Fenix.IntegrationTests.Infrastructure;
using Fenix.PubSub.RabbitMQ;
using Xunit;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>
/// Chat sample processes joined through a <see cref="ClusterBackend"/> (<c>--Fenix:RabbitMQ</c> or <c>--Fenix:Redis</c>,
/// and <c>--Fenix:Node</c>), each on its own port, plus a <see cref="ClusterProbe"/> node inside the test process.
/// Every cluster has its own prefix, so clusters of concurrent test classes never see each other.
/// </summary>
public abstract class ChatCluster : IAsyncLifetime
{
    private readonly int _size;
    private readonly bool _forOutages;
    private readonly string[] _extraArguments;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly List<ServerProcess> _nodes = [];

    /// <summary>
    /// The nodes' Data Protection key ring (long-poll tokens), a folder of this cluster's own. Left at the user's default,
    /// shared with every process of the test run, a fresh machine gets several keys at once from the hosts that start
    /// together, nodes that loaded the ring at different moments protect with different keys, and a node older than
    /// two minutes no longer reloads the ring for a key it does not know: another node's token is then refused.
    /// </summary>
    private readonly string _keys;

    protected ChatCluster(ClusterBackend backend, int size, bool forOutages, params string[] extraArguments)
    {
        Backend = backend;
        _size = size;
        _forOutages = forOutages;
        _extraArguments = extraArguments;
        Prefix = $"fenix-test-chat-{_run}";
        _keys = Path.Combine(Path.GetTempPath(), $"fenix-test-chat-keys-{_run}");
    }

    public ClusterBackend Backend { get; }

    public string Prefix { get; }

    /// <summary>The nodes, in start order (node 0 is "chat1").</summary>
    public IReadOnlyList<ServerProcess> Nodes => _nodes;

    public ClusterProbe Probe { get; private set; } = null!;

    public string NodeName(int index) => $"chat{index + 1}-{_run}";

    public async ValueTask InitializeAsync()
    {
        await Backend.AcquireAsync(_forOutages);
        _nodes.Add(await StartNodeAsync(0));

        // Long-poll tokens must verify on every node: let the first node create the cluster's Data Protection key before
        // the others start and load the key ring.
        using (var warmUp = new LongPollTestClient(_nodes[0].BaseUri, "/socket", query: "user=warm-up"))
        {
            await warmUp.OpenAsync();
        }

        var others = Enumerable.Range(1, _size - 1).Select(StartNodeAsync).ToList();
        _nodes.AddRange(await Task.WhenAll(others));
        Probe = await ClusterProbe.StartAsync(Backend, Prefix, $"probe-{_run}");
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

        await Backend.CleanUpAsync(Prefix);
        await Backend.DisposeAsync();
        if (Directory.Exists(_keys))
        {
            Directory.Delete(_keys, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Restarts a killed node on its port, with the same name and arguments.</summary>
    public Task RestartAsync(int index) => _nodes[index].StartAsync();

    /// <summary>A Chat node whose Data Protection keys live in <see cref="_keys"/> (ASP.NET Core reads $LOCALAPPDATA first).</summary>
    private Task<ServerProcess> StartNodeAsync(int index) =>
        ServerProcess.StartWithEnvironmentAsync("Chat", new Dictionary<string, string> { ["LOCALAPPDATA"] = _keys }, Arguments(index));

    private string[] Arguments(int index) => [.. Backend.NodeArguments(Prefix), "--Fenix:Node", NodeName(index), .. _extraArguments];
}

/// <summary>Presence timing of the presence clusters: a heartbeat at least every 0.9 s, a silent node down after 3 s.</summary>
internal static class QuickPresence
{
    public static readonly TimeSpan DownPeriod = TimeSpan.FromSeconds(3);

    public static readonly string[] Arguments =
    [
        "--Fenix:Presence:BroadcastPeriod", "00:00:00.300",
        "--Fenix:Presence:MaxSilentPeriods", "2",
        "--Fenix:Presence:DownPeriod", "00:00:03",
    ];
}

/// <summary>Three Chat nodes sharing the broker with other tests (default routing: every broadcast to every node).</summary>
public sealed class ThreeNodeChatCluster() : ChatCluster(new RabbitMqBackend(), 3, forOutages: false);

/// <summary>Three Chat nodes over the shared Redis.</summary>
public sealed class RedisThreeNodeChatCluster() : ChatCluster(new RedisBackend(), 3, forOutages: false);

/// <summary>
/// Three Chat nodes over RabbitMQ with quick presence gossip (Phoenix: 1.5 s ticks, down after 30 s).
/// </summary>
public sealed class PresenceChatCluster() : ChatCluster(new RabbitMqBackend(), 3, forOutages: false, QuickPresence.Arguments);

/// <summary>Three Chat nodes over Redis with quick presence gossip.</summary>
public sealed class RedisPresenceChatCluster() : ChatCluster(new RedisBackend(), 3, forOutages: false, QuickPresence.Arguments);

/// <summary>
/// Two Chat nodes that own the broker: their tests stop and start it. They bind per topic, so a broker restart also
/// proves that every active topic is bound again.
/// </summary>
public sealed class OutageChatCluster() : ChatCluster(new RabbitMqBackend(RabbitMqRouting.PerTopic), 2, forOutages: true);

/// <summary>Two Chat nodes over a Redis of their own, which their tests kill and start again.</summary>
public sealed class RedisOutageChatCluster() : ChatCluster(new RedisBackend(), 2, forOutages: true);
