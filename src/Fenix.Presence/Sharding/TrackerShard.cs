using System.Text.Json;
using System.Threading.Channels;
using Fenix.Presence.Diagnostics;
using Fenix.Presence.Messages;
using Fenix.Presence.Tracker;
using Fenix.PubSub;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fenix.Presence.Sharding;

/// <summary>
/// The one loop that owns a <see cref="TrackerState"/> replica (Phoenix's <c>Tracker.Shard</c>): local requests,
/// owner endings, gossip ticks and messages from other nodes all go through a single-reader mailbox and are handled one
/// at a time, so the state needs no lock. Local changes are batched into deltas and gossiped on
/// <c>phx_presence:&lt;name&gt;</c> every broadcast period (§8.7); peers are tracked up, down and permanently down
/// (§8.8); lagging replicas ask the most advanced peer for a transfer (§8.9). Visible changes go to the
/// <see cref="ITrackerShardObserver"/>. A shard runs from construction until <see cref="StopAsync"/>.
/// </summary>
/// <remarks>
/// The mailbox is unbounded on purpose: requests are awaited by their callers, ticks are periodic, peers' gossip is
/// periodic per peer, and an owner ends once; dropping any of them would desynchronise the replica.
/// </remarks>
internal sealed partial class TrackerShard : IAsyncDisposable
{
    /// <summary>Mails handled before queued snapshot reads are served even if more mail is waiting.</summary>
    internal const int MaxDrainBeforeReads = 256;

    /// <summary>Presences a topic needs before its snapshots are kept as encoding bases (below it, encoding is cheap).</summary>
    internal const int MinEncodingBase = 64;

    /// <summary>Most topics whose last snapshot is kept as an encoding base.</summary>
    internal const int MaxEncodingBases = 1024;

    private static long s_lastVsn;

    private readonly Channel<ShardMail> _mailbox;
    private readonly FenixPubSub _pubSub;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly PresenceMetrics? _metrics;
    private readonly ITrackerShardObserver? _observer;
    private readonly GossipSubscriber _subscriber;
    private readonly long _startTimestamp;
    private readonly ITimer _tickTimer;
    private readonly Task _loop;

    // Options, copied at construction.
    private readonly TimeSpan _broadcastPeriod;
    private readonly int _maxSilentPeriods;
    private readonly TimeSpan _downPeriod;
    private readonly TimeSpan _permdownPeriod;
    private readonly int _clockSamplePeriods;

    // ---- loop-owned state: touched only by the mailbox loop ----
    private readonly TrackerState _state;
    private readonly ReplicaRegistry _registry;

    /// <summary>owner id → its token registration. Exactly the owners with at least one local presence (and a cancellable token).</summary>
    private readonly Dictionary<string, CancellationTokenRegistration> _ownerLinks = new(StringComparer.Ordinal);

    /// <summary>Peers' clocks sampled from heartbeats since the last transfer decision, reduced to non-dominated ones.</summary>
    private IReadOnlyList<ReplicaClock> _pendingClockset = [];

    /// <summary>Ticks since the last heartbeat sent; starts at the maximum so that a new shard announces itself at once.</summary>
    private int _silentPeriods;

    /// <summary>Ticks left before the next transfer decision.</summary>
    private int _sampleCountdown;

    private long _nextTransferId;

    /// <summary>Stored element count last published to the metrics.</summary>
    private int _publishedCount;

    /// <summary>Set by the stop mail; later mails are rejected.</summary>
    private bool _stopped;

    /// <summary>
    /// Snapshot reads received in the current drain of the mailbox, not yet answered. Served together (one snapshot per
    /// topic) when the mailbox runs empty, after <see cref="MaxDrainBeforeReads"/> mails, or before stopping.
    /// </summary>
    private readonly List<SnapshotMail> _pendingReads = [];

    /// <summary>
    /// The last snapshot taken of each big topic, the next snapshot's encoding base (a room filling at once is read
    /// over and over with a few more members each time). Only topics of at least <see cref="MinEncodingBase"/> presences,
    /// and at most <see cref="MaxEncodingBases"/> topics: past that it is cleared (the next reads encode in full).
    /// </summary>
    private readonly Dictionary<string, PresenceSnapshot> _encodingBases = new(StringComparer.Ordinal);

    /// <summary>Starts a shard: subscribes to its gossip topic, starts its loop and schedules its first tick.</summary>
    /// <param name="name">The shard's name, the same on every node (e.g. <c>"fenix_presence_shard0"</c>).</param>
    /// <param name="pubSub">This node's PubSub; its node name is the replica name.</param>
    /// <param name="options">Gossip timing; validated here.</param>
    /// <param name="observer">Receives diffs and read notifications, on the loop.</param>
    /// <param name="time">All timers and the monotonic clock (tests pass a manual one).</param>
    /// <param name="logger">Logs under event ids 4000–4999.</param>
    /// <param name="metrics">Optional instruments.</param>
    public TrackerShard(
        string name,
        FenixPubSub pubSub,
        TrackerShardOptions? options = null,
        ITrackerShardObserver? observer = null,
        TimeProvider? time = null,
        ILogger? logger = null,
        PresenceMetrics? metrics = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(pubSub);
        options ??= new TrackerShardOptions();
        options.Validate();
        Name = name;
        Topic = $"phx_presence:{name}";
        _pubSub = pubSub;
        _time = time ?? TimeProvider.System;
        _log = logger ?? NullLogger.Instance;
        _metrics = metrics;
        _observer = observer;
        _broadcastPeriod = options.BroadcastPeriod;
        _maxSilentPeriods = options.MaxSilentPeriods;
        _downPeriod = options.EffectiveDownPeriod;
        _permdownPeriod = options.PermdownPeriod;
        _clockSamplePeriods = options.ClockSamplePeriods;
        PermdownOnShutdown = options.PermdownOnShutdown;

        Replica = new ReplicaRef(pubSub.NodeName, NextVsn(_time));
        _state = new TrackerState(Replica);
        _registry = new ReplicaRegistry(Replica);
        _silentPeriods = _maxSilentPeriods;
        _sampleCountdown = _clockSamplePeriods;
        _startTimestamp = _time.GetTimestamp();
        _mailbox = Channel.CreateUnbounded<ShardMail>(new UnboundedChannelOptions { SingleReader = true });
        _subscriber = new GossipSubscriber(this);

        pubSub.RegisterDecoder(new TrackerMessageDecoder());
        pubSub.Subscribe(Topic, _subscriber);
        _loop = Task.Run(RunAsync);
        var firstTick = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * 0.25 * _broadcastPeriod.TotalMilliseconds);
        _tickTimer = _time.CreateTimer(static state => ((TrackerShard)state!).Post(TickMail.Instance), this, firstTick, Timeout.InfiniteTimeSpan);
        _log.ShardStarted(Name, Replica.ToString());
    }

    /// <summary>The shard's name, shared by its replicas on every node.</summary>
    public string Name { get; }

    /// <summary>The PubSub topic its replicas gossip on: <c>phx_presence:&lt;name&gt;</c>.</summary>
    public string Topic { get; }

    /// <summary>This replica: the node name and a version unique to this start.</summary>
    public ReplicaRef Replica { get; }

    /// <summary>Whether <see cref="DisposeAsync"/> announces a graceful permdown.</summary>
    public bool PermdownOnShutdown { get; }

    /// <summary>Adds a presence. <paramref name="meta"/> is a JSON object that already carries its <c>phx_ref</c>.</summary>
    /// <exception cref="PresenceAlreadyTrackedException">The owner already tracks <paramref name="key"/> on <paramref name="topic"/>.</exception>
    public Task<TrackerElement> TrackAsync(PresenceOwner owner, string topic, string key, JsonElement meta)
    {
        ArgumentNullException.ThrowIfNull(owner.Id, nameof(owner));
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(key);
        return Request(new TrackMail(owner, topic, key, meta));
    }

    /// <summary>Removes one presence of an owner; returns it, or null when it was not tracked.</summary>
    public Task<TrackerElement?> UntrackAsync(string ownerId, string topic, string key) =>
        Request(new UntrackMail(ownerId, topic, key));

    /// <summary>Removes every presence of an owner, on all topics of this shard; returns them.</summary>
    public Task<IReadOnlyList<TrackerElement>> UntrackAllAsync(string ownerId) => Request(new UntrackOwnerMail(ownerId));

    /// <summary>
    /// Replaces the meta of an owner's presence (a leave of the old version and a join of the new one, in one diff).
    /// When <paramref name="expected"/> is given, the update only happens if the stored version still has that dot.
    /// </summary>
    public Task<UpdateResult> UpdateAsync(string ownerId, string topic, string key, JsonElement meta, Dot? expected = null) =>
        Request(new UpdateMail(ownerId, topic, key, meta, expected));

    /// <summary>The stored presence of an owner, or null.</summary>
    public Task<TrackerElement?> FindAsync(string ownerId, string topic, string key) => Request(new FindMail(ownerId, topic, key));

    /// <summary>The visible presences of a topic (local ones and those of replicas that are up).</summary>
    public async Task<IReadOnlyList<TrackerElement>> ListAsync(string topic) => (await SnapshotAsync(topic).ConfigureAwait(false)).Elements;

    /// <summary>
    /// The visible presences of a topic as a snapshot shared with every other read of the topic that the shard serves
    /// at the same point (reads wait for the end of the current drain of the mailbox, at most <see cref="MaxDrainBeforeReads"/> mails).
    /// </summary>
    public Task<PresenceSnapshot> SnapshotAsync(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Request(new SnapshotMail(topic));
    }

    /// <summary>The visible presences of one key of a topic (one per owner).</summary>
    public Task<IReadOnlyList<TrackerElement>> GetByKeyAsync(string topic, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Request(new ListMail(topic, key));
    }

    /// <summary>What this replica knows of its peers (one record per node, up or down).</summary>
    public Task<IReadOnlyList<ReplicaRecord>> GetReplicasAsync() => Request(new ReplicasMail());

    /// <summary>
    /// Stops the shard: optionally tells peers to drop its presences now (graceful permdown), then unsubscribes, stops
    /// its timer and unlinks its owners. Requests still queued fail with <see cref="ObjectDisposedException"/>. Idempotent.
    /// </summary>
    public async Task StopAsync(bool gracefulPermdown)
    {
        var stop = new StopMail(gracefulPermdown);
        if (_mailbox.Writer.TryWrite(stop))
        {
            try
            {
                await stop.Reply.Task.ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Another stop got there first.
            }
        }

        await _loop.ConfigureAwait(false);
    }

    /// <summary>Stops the shard, announcing a graceful permdown when <see cref="PermdownOnShutdown"/> is set.</summary>
    public ValueTask DisposeAsync() => new(StopAsync(PermdownOnShutdown));

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Replica})";

    private static long NextVsn(TimeProvider time)
    {
        // Unique per start of a shard on this node: wall-clock ticks, forced to grow within the process.
        var candidate = time.GetUtcNow().UtcTicks;
        while (true)
        {
            var last = Volatile.Read(ref s_lastVsn);
            var next = Math.Max(candidate, last + 1);
            if (Interlocked.CompareExchange(ref s_lastVsn, next, last) == last)
            {
                return next;
            }
        }
    }

    private Task<T> Request<T>(ShardRequest<T> mail)
    {
        if (!_mailbox.Writer.TryWrite(mail))
        {
            return Task.FromException<T>(Stopped());
        }

        return mail.Reply.Task;
    }

    private void Post(ShardMail mail) => _mailbox.Writer.TryWrite(mail);

    private ObjectDisposedException Stopped() => new(ToString(), $"The tracker shard {Name} has stopped.");

    private long NowMs() => (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    private async Task RunAsync()
    {
        var reader = _mailbox.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var drained = 0;
            while (reader.TryRead(out var mail))
            {
                if (_stopped)
                {
                    mail.Reject(Stopped());
                    continue;
                }

                try
                {
                    Handle(mail);
                }
                catch (Exception e)
                {
                    _log.ShardFault(Name, mail.ToString(), e);
                    mail.Reject(e);
                }

                PublishCount();
                if (++drained % MaxDrainBeforeReads == 0)
                {
                    ServeReads();
                }
            }

            ServeReads();
        }
    }

    private void Handle(ShardMail mail)
    {
        switch (mail)
        {
            case TrackMail track:
                HandleTrack(track);
                break;
            case UntrackMail untrack:
                untrack.Reply.TrySetResult(HandleUntrack(untrack));
                break;
            case UntrackOwnerMail untrackOwner:
                untrackOwner.Reply.TrySetResult(LeaveOwner(untrackOwner.OwnerId));
                break;
            case UpdateMail update:
                update.Reply.TrySetResult(HandleUpdate(update));
                break;
            case FindMail find:
                var found = _state.Find(find.OwnerId, find.Topic, find.Key);
                find.Reply.TrySetResult(found is not null && found.Replica == Replica ? found : null);
                break;
            case ListMail list:
                var elements = _state.GetByKey(list.Topic, list.Key);
                _observer?.OnRead(list.Topic);
                list.Reply.TrySetResult(elements);
                break;
            case SnapshotMail snapshot:
                _pendingReads.Add(snapshot);
                break;
            case ReplicasMail replicas:
                replicas.Reply.TrySetResult(_registry.Records);
                break;
            case OwnerEndedMail ended:
                LeaveOwner(ended.OwnerId);
                break;
            case TickMail:
                HandleTick();
                break;
            case RemoteMail remote:
                HandleRemote(remote.Message);
                break;
            case StopMail stop:
                ServeReads();
                HandleStop(stop);
                break;
        }
    }

    private void HandleStop(StopMail stop)
    {
        if (stop.GracefulPermdown)
        {
            Send(new GracefulPermdownMessage(Replica), "graceful_permdown");
            _log.GracefulPermdownSent(Name);
        }

        _stopped = true;
        _pubSub.Unsubscribe(Topic, _subscriber);
        _tickTimer.Dispose();
        foreach (var registration in _ownerLinks.Values)
        {
            registration.Unregister();
        }

        _ownerLinks.Clear();
        _encodingBases.Clear();
        _mailbox.Writer.TryComplete();
        _metrics?.AddEntries(-_publishedCount);
        _publishedCount = 0;
        _log.ShardStopped(Name, stop.GracefulPermdown);
        stop.Reply.TrySetResult(true);
    }

    /// <summary>
    /// Answers the queued snapshot reads with one snapshot per topic, taken now: every read was sent before this point,
    /// so each sees at least the state at its arrival, and the observer learns of the read in order with the diffs.
    /// </summary>
    private void ServeReads()
    {
        if (_pendingReads.Count == 0)
        {
            return;
        }

        Dictionary<string, PresenceSnapshot>? taken = _pendingReads.Count > 1 ? new(StringComparer.Ordinal) : null;
        foreach (var read in _pendingReads)
        {
            try
            {
                if (taken is null || !taken.TryGetValue(read.Topic, out var snapshot))
                {
                    snapshot = TakeSnapshot(read.Topic);
                    _observer?.OnRead(read.Topic);
                    taken?.Add(read.Topic, snapshot);
                }

                read.Reply.TrySetResult(snapshot);
            }
            catch (Exception e)
            {
                _log.ShardFault(Name, read.ToString(), e);
                read.Reject(e);
            }
        }

        _pendingReads.Clear();
    }

    private PresenceSnapshot TakeSnapshot(string topic)
    {
        var elements = _state.Get(topic);
        if (elements.Count < MinEncodingBase)
        {
            _encodingBases.Remove(topic);
            return new PresenceSnapshot(topic, elements);
        }

        _encodingBases.TryGetValue(topic, out var previous);
        var snapshot = PresenceSnapshot.After(previous, topic, elements);
        if (_encodingBases.Count >= MaxEncodingBases && !_encodingBases.ContainsKey(topic))
        {
            _encodingBases.Clear();
        }

        _encodingBases[topic] = snapshot;
        return snapshot;
    }

    private void Report(TrackerDiff diff)
    {
        ForgetEmptiedEncodingBases(diff);
        if (diff.IsEmpty || _observer is null)
        {
            return;
        }

        try
        {
            _observer.OnDiff(diff);
        }
        catch (Exception e)
        {
            _log.ShardFault(Name, "the diff observer", e);
        }
    }

    /// <summary>
    /// Drops the encoding base of each topic the diff emptied: a big room that emptied and is not read again would
    /// otherwise keep its last snapshot (and its encoding) until the cache fills.
    /// </summary>
    private void ForgetEmptiedEncodingBases(TrackerDiff diff)
    {
        if (_encodingBases.Count == 0)
        {
            return;
        }

        foreach (var left in diff.Leaves)
        {
            if (_encodingBases.ContainsKey(left.Topic) && !_state.HoldsTopic(left.Topic))
            {
                _encodingBases.Remove(left.Topic);
            }
        }
    }

    private void PublishCount()
    {
        if (_metrics is null || _stopped)
        {
            return;
        }

        var count = _state.Count;
        _metrics.AddEntries(count - _publishedCount);
        _publishedCount = count;
    }

    /// <summary>Receives the shard's gossip topic and queues it; runs on the publisher's thread.</summary>
    private sealed class GossipSubscriber(TrackerShard shard) : ISubscriber
    {
        public void Deliver(string topic, object message)
        {
            if (message is TrackerMessage tracker)
            {
                shard.Post(new RemoteMail(tracker));
            }
            else
            {
                shard._log.UnexpectedMessage(shard.Name, message.GetType().Name);
            }
        }
    }
}
