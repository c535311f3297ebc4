using System.Buffers;
using Fenix.Presence.Tracker;
using Fenix.PubSub;

namespace Fenix.Presence.Messages;

/// <summary>
/// A message between the shards of one tracker on different nodes (§8.12), carried by PubSub on the shard's topic
/// <c>phx_presence:&lt;shard name&gt;</c>. Immutable, so an adapter may encode it later on another thread; other nodes
/// rebuild it with <see cref="TrackerMessageDecoder"/> (codec <see cref="CodecName"/>, layout in <see cref="TrackerMessageWriter"/>).
/// </summary>
internal abstract class TrackerMessage : IPubSubMessage
{
    /// <summary>The PubSub codec name of every tracker message.</summary>
    public const string CodecName = "fenix.tracker";

    private protected TrackerMessage(ReplicaRef sender)
    {
        ArgumentNullException.ThrowIfNull(sender.Name, nameof(sender));
        Sender = sender;
    }

    /// <summary>The replica that sent the message.</summary>
    public ReplicaRef Sender { get; }

    string IPubSubMessage.Codec => CodecName;

    /// <inheritdoc />
    public void Encode(IBufferWriter<byte> output) => TrackerMessageWriter.Write(this, output);
}

/// <summary>
/// The periodic gossip (§8.7): the sender's delta since its previous heartbeat, or none (an "empty" heartbeat that
/// only says "I am alive"), and its clocks, from which receivers decide whom to ask for a transfer.
/// </summary>
internal sealed class HeartbeatMessage(ReplicaRef sender, TrackerDelta? delta, ReplicaClock clocks) : TrackerMessage(sender)
{
    /// <summary>The changes since the previous heartbeat, or null for an empty heartbeat.</summary>
    public TrackerDelta? Delta { get; } = delta;

    /// <summary>The sender's causal context without the replicas it considers down.</summary>
    public ReplicaClock Clocks { get; } = clocks ?? throw new ArgumentNullException(nameof(clocks));
}

/// <summary>Asks one peer for its state (§8.9); sent directly to that peer's node.</summary>
internal sealed class TransferRequestMessage(long requestId, ReplicaRef requester, ReplicaClock clocks) : TrackerMessage(requester)
{
    /// <summary>Correlates the answer with the request (logs only: any answer is merged).</summary>
    public long RequestId { get; } = requestId;

    /// <summary>The requester's clocks: the responder restricts its answer to the replicas they name.</summary>
    public ReplicaClock Clocks { get; } = clocks ?? throw new ArgumentNullException(nameof(clocks));
}

/// <summary>The answer to a <see cref="TransferRequestMessage"/>: a delta or a full extract, sent directly to the requester's node.</summary>
internal sealed class TransferAckMessage(long requestId, ReplicaRef responder, TrackerPayload payload) : TrackerMessage(responder)
{
    /// <summary>The <see cref="TransferRequestMessage.RequestId"/> answered.</summary>
    public long RequestId { get; } = requestId;

    /// <summary>The state to merge.</summary>
    public TrackerPayload Payload { get; } = payload ?? throw new ArgumentNullException(nameof(payload));
}

/// <summary>The sender is shutting down cleanly (§8.11): peers drop its presences now instead of after the down period.</summary>
internal sealed class GracefulPermdownMessage(ReplicaRef sender) : TrackerMessage(sender);
