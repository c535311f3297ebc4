using Fenix.Presence.Sharding;
using Fenix.Presence.Tracker;
using Fenix.PubSub;

namespace Fenix.Presence.Tests.Support;

/// <summary>One node of a test cluster: a PubSub on a <see cref="TestCluster"/> adapter and a presence tracker with a recording publisher.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    private TestNode(string name, TestAdapter adapter, FenixPubSub pubSub, PresenceTracker presence, RecordingPublisher diffs)
    {
        Name = name;
        Adapter = adapter;
        PubSub = pubSub;
        Presence = presence;
        Diffs = diffs;
    }

    public string Name { get; }

    public TestAdapter Adapter { get; }

    public FenixPubSub PubSub { get; }

    public PresenceTracker Presence { get; }

    public RecordingPublisher Diffs { get; }

    /// <summary>Messages PubSub could not decode or deliver (must stay empty).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> DeliveryErrors { get; private init; } = new();

    public TrackerShard Shard => Presence.Shards[0];

    public static async Task<TestNode> StartAsync(TestCluster cluster, string name, TimeProvider time, Action<PresenceOptions>? configure = null)
    {
        var adapter = cluster.Connect(name);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var pubSub = new FenixPubSub(adapter, (topic, e) => errors.Enqueue($"{topic}: {e}"));
        await pubSub.StartAsync();
        var options = TestOptions();
        configure?.Invoke(options);
        var diffs = new RecordingPublisher();
        var presence = new PresenceTracker(pubSub, options, diffs, time: time);
        return new TestNode(name, adapter, pubSub, presence, diffs) { DeliveryErrors = errors };
    }

    /// <summary>Gossip timing for tests: Phoenix's ratios, short absolute values (time is manual anyway).</summary>
    public static PresenceOptions TestOptions() => new()
    {
        BroadcastPeriod = TimeSpan.FromMilliseconds(100),
        MaxSilentPeriods = 10,
        DownPeriod = TimeSpan.FromSeconds(2),
        PermdownPeriod = TimeSpan.FromSeconds(10),
    };

    /// <summary>Completes once every shard has handled everything queued so far.</summary>
    public Task SyncAsync() => Task.WhenAll(Presence.Shards.Select(s => s.GetReplicasAsync()));

    public async Task<ReplicaRecord?> ReplicaAsync(string nodeName) =>
        (await Shard.GetReplicasAsync()).Cast<ReplicaRecord?>().FirstOrDefault(r => r!.Value.Replica.Name == nodeName);

    /// <summary>Crashes the node: gone from the network at once, nothing announced.</summary>
    public async Task CrashAsync()
    {
        await Adapter.DisposeAsync();
        await Presence.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Presence.DisposeAsync();
        await PubSub.DisposeAsync();
    }
}
