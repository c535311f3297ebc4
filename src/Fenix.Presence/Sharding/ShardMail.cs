using System.Text.Json;
using Fenix.Presence.Messages;
using Fenix.Presence.Tracker;

namespace Fenix.Presence.Sharding;

/// <summary>One item of a shard's mailbox. Requests carry the completion their caller awaits.</summary>
internal abstract class ShardMail
{
    /// <summary>Fails the caller's await (the shard stopped, or handling threw).</summary>
    public virtual void Reject(Exception exception)
    {
    }

    public override string ToString() => GetType().Name;
}

/// <summary>A request answered with a <typeparamref name="T"/>; continuations never run on the shard's loop.</summary>
internal abstract class ShardRequest<T> : ShardMail
{
    public TaskCompletionSource<T> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Reject(Exception exception) => Reply.TrySetException(exception);
}

internal sealed class TrackMail(PresenceOwner owner, string topic, string key, JsonElement meta) : ShardRequest<TrackerElement>
{
    public PresenceOwner Owner { get; } = owner;

    public string Topic { get; } = topic;

    public string Key { get; } = key;

    public JsonElement Meta { get; } = meta;
}

internal sealed class UntrackMail(string ownerId, string topic, string key) : ShardRequest<TrackerElement?>
{
    public string OwnerId { get; } = ownerId;

    public string Topic { get; } = topic;

    public string Key { get; } = key;
}

internal sealed class UntrackOwnerMail(string ownerId) : ShardRequest<IReadOnlyList<TrackerElement>>
{
    public string OwnerId { get; } = ownerId;
}

internal sealed class UpdateMail(string ownerId, string topic, string key, JsonElement meta, Dot? expected) : ShardRequest<UpdateResult>
{
    public string OwnerId { get; } = ownerId;

    public string Topic { get; } = topic;

    public string Key { get; } = key;

    public JsonElement Meta { get; } = meta;

    /// <summary>The version the new meta was computed from; null replaces whatever is stored.</summary>
    public Dot? Expected { get; } = expected;
}

internal sealed class FindMail(string ownerId, string topic, string key) : ShardRequest<TrackerElement?>
{
    public string OwnerId { get; } = ownerId;

    public string Topic { get; } = topic;

    public string Key { get; } = key;
}

/// <summary>Reads a topic, or one key of it when <see cref="Key"/> is set.</summary>
/// <summary>The visible presences of one key of a topic.</summary>
internal sealed class ListMail(string topic, string key) : ShardRequest<IReadOnlyList<TrackerElement>>
{
    public string Topic { get; } = topic;

    public string Key { get; } = key;
}

/// <summary>The visible presences of a topic; served together with the other snapshots of the same drain of the mailbox.</summary>
internal sealed class SnapshotMail(string topic) : ShardRequest<PresenceSnapshot>
{
    public string Topic { get; } = topic;
}

internal sealed class ReplicasMail : ShardRequest<IReadOnlyList<ReplicaRecord>>;

internal sealed class StopMail(bool gracefulPermdown) : ShardRequest<bool>
{
    public bool GracefulPermdown { get; } = gracefulPermdown;
}

/// <summary>An owner's token fired: all its presences leave.</summary>
internal sealed class OwnerEndedMail(string ownerId) : ShardMail
{
    public string OwnerId { get; } = ownerId;
}

/// <summary>The gossip timer fired.</summary>
internal sealed class TickMail : ShardMail
{
    public static TickMail Instance { get; } = new();
}

/// <summary>A message from another node's shard.</summary>
internal sealed class RemoteMail(TrackerMessage message) : ShardMail
{
    public TrackerMessage Message { get; } = message;

    public override string ToString() => $"{Message.GetType().Name} from {Message.Sender}";
}
