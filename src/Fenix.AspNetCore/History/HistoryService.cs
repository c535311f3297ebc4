using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Channels;
using Fenix.PubSub;
using Fenix.PubSub.Adapters;
using Fenix.PubSub.History;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fenix.AspNetCore.History;

/// <summary>
/// History for this node: which topics keep it (<see cref="HistoryOptions"/>), the store, each topic's append pipeline
/// (broadcasts on their way to a position) and feed (the ordered delivery to this node's channels), and the periodic
/// repair of topics whose broadcasts went out without positions.
/// </summary>
internal sealed class HistoryService : IDisposable
{
    private static readonly TimeSpan MaintenancePeriod = TimeSpan.FromSeconds(1);

    /// <summary>Idle pipelines are retired after this many maintenance periods without use.</summary>
    private const int SweepEvery = 30;

    private readonly IServiceProvider _services;
    private readonly Lazy<IHistoryStore> _store;

    /// <summary>One pipeline per topic with broadcasts in progress or recently; retired ones are removed by the sweep.</summary>
    private readonly ConcurrentDictionary<string, AppendPipeline> _pipelines = new(StringComparer.Ordinal);

    /// <summary>One feed per topic with channels on this node; a feed removes itself when its last channel leaves.</summary>
    private readonly ConcurrentDictionary<string, TopicFeed> _feeds = new(StringComparer.Ordinal);

    /// <summary>Pipelines whose broadcasts went out without a position and whose new epoch has not started yet.</summary>
    private readonly ConcurrentDictionary<AppendPipeline, byte> _dirty = new();

    private long _pendingBytes;
    private ITimer? _maintenance;
    private int _ticks;

    public HistoryService(
        IOptions<FenixOptions> options,
        FenixPubSub pubSub,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        IMeterFactory meterFactory,
        IServiceProvider services)
    {
        Options = options.Value.History;
        PubSub = pubSub;
        Time = time;
        _services = services;
        Log = loggerFactory.CreateLogger("Fenix.History");
        _store = new Lazy<IHistoryStore>(CreateStore);
        Metrics = new HistoryMetrics(meterFactory, () => _store.IsValueCreated ? _store.Value : null);
        Reads = new SharedReads(() => Store);
    }

    public HistoryOptions Options { get; }

    public FenixPubSub PubSub { get; }

    public TimeProvider Time { get; }

    public ILogger Log { get; }

    public HistoryMetrics Metrics { get; }

    public IHistoryStore Store => _store.Value;

    /// <summary>The recoveries' store reads, coalesced when identical ones overlap.</summary>
    public SharedReads Reads { get; }

    /// <summary>The history settings of <paramref name="topic"/>; null (at once) when it keeps none.</summary>
    public HistoryTopic? Find(string topic) => Options.IsEnabled ? Options.Find(topic) : null;

    /// <summary>
    /// Checks the settings and the store at startup: history in a cluster needs a store every node shares, or each node
    /// would number the messages on its own and a client that reconnects elsewhere would recover the wrong ones.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Options.IsEnabled)
        {
            return;
        }

        Options.Validate();
        if (!Store.IsShared && PubSub.Adapter is not InProcessAdapter)
        {
            var patterns = string.Join(", ", Options.Topics.Select(t => $"\"{t.Pattern}\""));
            throw new InvalidOperationException(
                $"History is enabled for {patterns}, but this node is in a cluster ({PubSub.Adapter.GetType().Name}) and the history store " +
                $"({Store.GetType().Name}) belongs to this node alone: each node would number messages on its own. Give history a store " +
                "every node shares: a Redis for history (configuration key Fenix:History:Redis, or UseRedisHistory(...)), or the Redis " +
                "cluster backend (Fenix:Redis), which keeps history in the same Redis.");
        }

        await Store.StartAsync(cancellationToken);
        _maintenance ??= Time.CreateTimer(static state => ((HistoryService)state!).Maintain(), this, MaintenancePeriod, MaintenancePeriod);
    }

    /// <summary>Broadcasts on a history topic: the message gets its position from the store, then goes to every node.</summary>
    public void Publish(HistoryTopic rule, Broadcast broadcast, ISubscriber? excluded)
    {
        var data = Encode(broadcast);
        if (Interlocked.Add(ref _pendingBytes, data.Length + 64) > Options.MaxPendingAppendBytes)
        {
            ReleasePending(data.Length + 64);
            Log.AppendQueueFull(Volatile.Read(ref _pendingBytes), broadcast.Topic);
            var pipeline = _pipelines.GetOrAdd(broadcast.Topic, static (topic, state) => new AppendPipeline(state.Service, topic, state.Rule), (Service: this, Rule: rule));
            BecameDirty(pipeline, "too many broadcasts wait for the store");
            PublishPositioned(broadcast.Topic, new BroadcastMessage(broadcast, null, excluded));
            return;
        }

        while (true)
        {
            var pipeline = _pipelines.GetOrAdd(broadcast.Topic, static (topic, state) => new AppendPipeline(state.Service, topic, state.Rule), (Service: this, Rule: rule));
            if (pipeline.TryPublish(broadcast, data, excluded))
            {
                return;
            }

            _pipelines.TryRemove(new KeyValuePair<string, AppendPipeline>(broadcast.Topic, pipeline)); // retired meanwhile
        }
    }

    /// <summary>Attaches a joining channel to its topic's feed; from now on it receives the topic's messages in order.</summary>
    public TopicFeed Attach(string topic, HistoryTopic rule, ChannelServer channel, out FeedMark mark)
    {
        while (true)
        {
            var feed = _feeds.GetOrAdd(topic, static (topic, state) => new TopicFeed(state.Service, topic, state.Rule), (Service: this, Rule: rule));
            if (feed.TryAttach(channel, out mark))
            {
                return feed;
            }

            _feeds.TryRemove(new KeyValuePair<string, TopicFeed>(topic, feed)); // closed meanwhile
        }
    }

    /// <summary>The feed of <paramref name="topic"/> on this node, if channels are attached (for tests and diagnostics).</summary>
    public TopicFeed? FeedOf(string topic) => _feeds.TryGetValue(topic, out var feed) ? feed : null;

    internal void FeedClosed(TopicFeed feed) => _feeds.TryRemove(new KeyValuePair<string, TopicFeed>(feed.Topic, feed));

    /// <summary>Sends a broadcast of a history topic (with or without its position) to every node and this node's feed.</summary>
    internal void PublishPositioned(string topic, BroadcastMessage message)
    {
        Metrics.Appends.Add(1, new KeyValuePair<string, object?>("result", message.Position is null ? "unpositioned" : "positioned"));
        PubSub.Broadcast(topic, message);
    }

    internal void ReleasePending(long bytes) => Interlocked.Add(ref _pendingBytes, -bytes);

    internal void BecameDirty(AppendPipeline pipeline, string reason)
    {
        Log.AppendFailed(pipeline.Topic, reason);
        _dirty.TryAdd(pipeline, 0);
    }

    internal void EpochRestarted(string topic, string epoch) => Log.EpochRestarted(topic, epoch);

    public void Dispose()
    {
        _maintenance?.Dispose();
        Metrics.Dispose();
        if (_store.IsValueCreated && _store.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>Encodes what the store keeps of a broadcast (its event and payload; the topic is the stream's).</summary>
    internal static byte[] Encode(Broadcast broadcast)
    {
        var writer = new ArrayBufferWriter<byte>(16 + broadcast.Event.Length + broadcast.Payload.Bytes.Length);
        new BroadcastMessage(broadcast).EncodeBroadcast(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Rebuilds a stored entry as the broadcast it was, with its position.</summary>
    internal static BroadcastMessage Decode(string topic, string epoch, HistoryEntry entry) =>
        BroadcastMessage.Decode(topic, entry.Data.ToArray(), new HistoryPosition(epoch, entry.Offset)); // a copy: the store owns its entries

    private IHistoryStore CreateStore() =>
        Options.StoreFactory?.Invoke(_services) ?? new InMemoryHistoryStore(Options.MaxMemoryBytes, Options.Retention, Time);

    /// <summary>Every second: dirty topics try to start their new epoch; now and then, idle pipelines are retired.</summary>
    private void Maintain()
    {
        foreach (var pipeline in _dirty.Keys)
        {
            if (pipeline.IsDirty)
            {
                pipeline.Repair();
            }
            else
            {
                _dirty.TryRemove(pipeline, out _);
            }
        }

        if (++_ticks % SweepEvery != 0)
        {
            return;
        }

        foreach (var (topic, pipeline) in _pipelines)
        {
            if (pipeline.TryRetire())
            {
                _pipelines.TryRemove(new KeyValuePair<string, AppendPipeline>(topic, pipeline));
            }
        }
    }
}
