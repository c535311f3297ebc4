using System.Security.Cryptography;
using System.Text.Json;
using Fenix.Presence.Diagnostics;
using Fenix.Presence.Diffs;
using Fenix.Presence.Sharding;
using Fenix.Presence.Tracker;
using Fenix.PubSub;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fenix.Presence;

/// <summary>
/// Phoenix Presence for one node: track who is present on which topic, replicated to every node through the tracker
/// shards (§7, §8). Each presence belongs to an owner (a channel, a connection) and leaves when the owner ends.
/// Changes become <see cref="PresenceDiff"/>s handed, in order per topic, to the <see cref="IPresenceDiffPublisher"/>
/// (in ASP.NET Core: a <c>presence_diff</c> broadcast to the topic's local subscribers). Thread-safe; one per node.
/// </summary>
/// <remarks>
/// Bad input (a meta that is not a JSON object, does not serialize, or is too large; an update of an untracked key;
/// a duplicate track) throws in the caller and leaves the tracker untouched.
/// </remarks>
internal sealed class PresenceTracker : IAsyncDisposable
{
    private const int MaxUpdateAttempts = 16;

    private readonly TrackerShard[] _shards;
    private readonly DiffPipeline[] _pipelines;
    private readonly MetaBuilder _metas;
    private readonly PhxRef _refs;
    private readonly IPresenceFetcher? _fetcher;
    private readonly PresenceMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly bool _permdownOnShutdown;
    private int _stopped;

    /// <summary>Starts the tracker's shards on <paramref name="pubSub"/> (they gossip with the same tracker on other nodes).</summary>
    /// <param name="pubSub">This node's PubSub; its node name names the replicas.</param>
    /// <param name="options">Timing, limits, coalescing; validated here.</param>
    /// <param name="publisher">Receives the diffs; null when nobody listens (reads still work).</param>
    /// <param name="fetcher">Enriches presences; null uses <see cref="PresenceOptions.Fetch"/> if set.</param>
    /// <param name="time">All timers (tests pass a manual one).</param>
    /// <param name="loggerFactory">Logs under the category <c>Fenix.Presence</c>.</param>
    /// <param name="metrics">Shared instruments; null creates a standalone meter.</param>
    public PresenceTracker(
        FenixPubSub pubSub,
        PresenceOptions? options = null,
        IPresenceDiffPublisher? publisher = null,
        IPresenceFetcher? fetcher = null,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        PresenceMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(pubSub);
        options ??= new PresenceOptions();
        options.Validate();
        time ??= TimeProvider.System;
        var log = (ILogger?)loggerFactory?.CreateLogger("Fenix.Presence") ?? NullLogger.Instance;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new PresenceMetrics();
        _fetcher = fetcher ?? (options.Fetch is { } fetch ? new DelegateFetcher(fetch) : null);
        _metas = new MetaBuilder(options.JsonOptions ?? JsonSerializerOptions.Web, options.MaxMetaBytes);
        _refs = new PhxRef(time);
        _permdownOnShutdown = options.PermdownOnShutdown;
        NodeName = pubSub.NodeName;
        InstanceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        NodeOwner = new PresenceOwner($"{NodeName}/{InstanceId}/node", CancellationToken.None);

        _shards = new TrackerShard[options.PoolSize];
        _pipelines = new DiffPipeline[options.PoolSize];
        for (var i = 0; i < options.PoolSize; i++)
        {
            _pipelines[i] = new DiffPipeline(options, _fetcher, publisher, time, log, _metrics);
            _shards[i] = new TrackerShard($"{options.TrackerName}_shard{i}", pubSub, options, _pipelines[i], time, log, _metrics);
        }
    }

    /// <summary>This node's name (the replicas' name).</summary>
    public string NodeName { get; }

    /// <summary>Random per start of this tracker; part of the owner ids it creates, so they never repeat across restarts.</summary>
    public string InstanceId { get; }

    /// <summary>The owner of owner-less presences: they live until untracked or until this node stops.</summary>
    public PresenceOwner NodeOwner { get; }

    /// <summary>The shards (one loop each); a topic always lives on the same one.</summary>
    public IReadOnlyList<TrackerShard> Shards => _shards;

    /// <summary>The instruments (meter <c>Fenix.Presence</c>).</summary>
    public PresenceMetrics Metrics => _metrics;

    /// <summary>The shard that holds <paramref name="topic"/>.</summary>
    public TrackerShard ShardFor(string topic) => _shards[ShardRouter.ShardOf(topic, _shards.Length)];

    /// <summary>An owner id unique in the cluster for something local (e.g. a channel id), with the token that ends it.</summary>
    public PresenceOwner CreateOwner(string localId, CancellationToken ended)
    {
        ArgumentException.ThrowIfNullOrEmpty(localId);
        return new PresenceOwner($"{NodeName}/{InstanceId}/{localId}", ended);
    }

    /// <summary>
    /// Tracks <paramref name="key"/> on <paramref name="topic"/> for <paramref name="owner"/> with <paramref name="meta"/>
    /// (anything that serializes to a JSON object). Returns the new meta's <c>phx_ref</c>. Other owners may track the
    /// same key: the key then has several metas.
    /// </summary>
    /// <exception cref="PresenceAlreadyTrackedException">This owner already tracks the key on the topic.</exception>
    /// <exception cref="ArgumentException">The meta does not serialize, is not a JSON object, or is too large.</exception>
    public async Task<string> TrackAsync(PresenceOwner owner, string topic, string key, object meta)
    {
        Validate(owner, topic, key);
        var phxRef = _refs.Next();
        var json = _metas.Build(meta, phxRef);
        await ShardFor(topic).TrackAsync(owner, topic, key, json).ConfigureAwait(false);
        return phxRef;
    }

    /// <summary>Tracks an owner-less presence (owned by <see cref="NodeOwner"/>): it stays until untracked.</summary>
    public Task<string> TrackAsync(string topic, string key, object meta) => TrackAsync(NodeOwner, topic, key, meta);

    /// <summary>Removes the owner's presence for <paramref name="key"/> on <paramref name="topic"/>; nothing if there is none.</summary>
    public async Task UntrackAsync(PresenceOwner owner, string topic, string key)
    {
        Validate(owner, topic, key);
        await ShardFor(topic).UntrackAsync(owner.Id, topic, key).ConfigureAwait(false);
    }

    /// <summary>Removes an owner-less presence.</summary>
    public Task UntrackAsync(string topic, string key) => UntrackAsync(NodeOwner, topic, key);

    /// <summary>Removes every presence of <paramref name="owner"/>, on every topic.</summary>
    public async Task UntrackAllAsync(PresenceOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner.Id, nameof(owner));
        foreach (var shard in _shards)
        {
            await shard.UntrackAllAsync(owner.Id).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Replaces the meta of the owner's presence: the new meta gets a new <c>phx_ref</c> and <c>phx_ref_prev</c> = the
    /// old one, and one diff carries the old meta as a leave and the new one as a join (§7.2). Returns the new ref.
    /// </summary>
    /// <exception cref="PresenceNotTrackedException">The owner does not track the key on the topic.</exception>
    /// <exception cref="ArgumentException">The meta does not serialize, is not a JSON object, or is too large.</exception>
    public Task<string> UpdateAsync(PresenceOwner owner, string topic, string key, object meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        return UpdateCoreAsync(owner, topic, key, _ => meta);
    }

    /// <summary>
    /// Like <see cref="UpdateAsync(PresenceOwner, string, string, object)"/> with the new meta computed from the stored
    /// one (which includes its <c>phx_ref</c>). The function runs in the caller, never inside the tracker; if another
    /// update wins meanwhile it runs again on the newer meta.
    /// </summary>
    public Task<string> UpdateAsync(PresenceOwner owner, string topic, string key, Func<JsonElement, object> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return UpdateCoreAsync(owner, topic, key, update);
    }

    /// <summary>Updates an owner-less presence.</summary>
    public Task<string> UpdateAsync(string topic, string key, object meta) => UpdateAsync(NodeOwner, topic, key, meta);

    /// <summary>
    /// The presences of <paramref name="topic"/> grouped by key, without those of replicas that are down, passed through
    /// the fetch hook: the payload of <c>presence_state</c>.
    /// </summary>
    public async Task<PresenceMap> ListAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        // A view of a snapshot shared with the other reads served at the same point: its JSON is encoded once for all.
        var map = new PresenceMap(await ShardFor(topic).SnapshotAsync(topic).ConfigureAwait(false));
        if (_fetcher is not null && map.Count > 0)
        {
            await _fetcher.FetchAsync(topic, map, cancellationToken).ConfigureAwait(false);
        }

        return map;
    }

    /// <summary>The presence of one key (all its metas, after the fetch hook), or null when nobody tracks it.</summary>
    public async Task<PresenceEntry?> GetByKeyAsync(string topic, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(key);
        var elements = await ShardFor(topic).GetByKeyAsync(topic, key).ConfigureAwait(false);
        if (elements.Count == 0)
        {
            return null;
        }

        var map = PresenceMap.From(elements);
        if (_fetcher is not null)
        {
            await _fetcher.FetchAsync(topic, map, cancellationToken).ConfigureAwait(false);
        }

        return map[key];
    }

    /// <summary>
    /// The other nodes this tracker hears from, one entry per node name (sorted): <see cref="ReplicaStatus.Up"/> while
    /// every shard of that node is up, <see cref="ReplicaStatus.Down"/> once any is silent for the down period (its
    /// presences are hidden until it returns). Nodes purged after the permdown period are gone from the list.
    /// </summary>
    public async Task<IReadOnlyList<PresencePeer>> GetPeersAsync(CancellationToken cancellationToken = default)
    {
        var peers = new SortedDictionary<string, ReplicaStatus>(StringComparer.Ordinal);
        foreach (var shard in _shards)
        {
            foreach (var record in await shard.GetReplicasAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                var name = record.Replica.Name;
                peers[name] = peers.TryGetValue(name, out var seen) && seen == ReplicaStatus.Down ? ReplicaStatus.Down : record.Status;
            }
        }

        return [.. peers.Select(peer => new PresencePeer(peer.Key, peer.Value))];
    }

    /// <summary>
    /// Stops the shards (announcing a graceful permdown when <see cref="TrackerShardOptions.PermdownOnShutdown"/> is
    /// set) and the diff dispatchers. Later calls fail with <see cref="ObjectDisposedException"/>. Idempotent.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        foreach (var shard in _shards)
        {
            await shard.StopAsync(_permdownOnShutdown).ConfigureAwait(false);
        }

        foreach (var pipeline in _pipelines)
        {
            await pipeline.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<string> UpdateCoreAsync(PresenceOwner owner, string topic, string key, Func<JsonElement, object> update)
    {
        Validate(owner, topic, key);
        var shard = ShardFor(topic);
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var stored = await shard.FindAsync(owner.Id, topic, key).ConfigureAwait(false)
                ?? throw new PresenceNotTrackedException(owner.Id, topic, key);
            var previousRef = stored.Meta.TryGetProperty("phx_ref", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var newMeta = update(stored.Meta) ?? throw new ArgumentException("The update function returned null; return the new meta.", nameof(update));
            var phxRef = _refs.Next();
            var json = _metas.Build(newMeta, phxRef, previousRef);
            var result = await shard.UpdateAsync(owner.Id, topic, key, json, stored.Dot).ConfigureAwait(false);
            switch (result.Outcome)
            {
                case UpdateOutcome.Updated:
                    return phxRef;
                case UpdateOutcome.NotTracked:
                    throw new PresenceNotTrackedException(owner.Id, topic, key);
            }
        }

        throw new InvalidOperationException(
            $"The presence of '{key}' on '{topic}' kept changing during {MaxUpdateAttempts} update attempts; update it from one place at a time.");
    }

    private static void Validate(PresenceOwner owner, string topic, string key)
    {
        ArgumentNullException.ThrowIfNull(owner.Id, nameof(owner));
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(key);
    }

    private sealed class DelegateFetcher(Func<string, PresenceMap, CancellationToken, ValueTask> fetch) : IPresenceFetcher
    {
        public ValueTask FetchAsync(string topic, PresenceMap presences, CancellationToken cancellationToken) =>
            fetch(topic, presences, cancellationToken);
    }
}
