using Fenix.Presence.Tracker;

namespace Fenix.Presence.Tests.Tracker;

/// <summary>The shard-to-shard messages of §8.12, addressed by node name.</summary>
internal abstract record SimMessage(string To)
{
    public sealed record Heartbeat(string To, ReplicaRef From, TrackerDelta? Delta, ReplicaClock Clocks) : SimMessage(To);

    public sealed record TransferRequest(string To, ReplicaRef From, ReplicaClock Clocks) : SimMessage(To);

    public sealed record TransferAck(string To, ReplicaRef From, TrackerExtract Extract) : SimMessage(To);

    /// <summary>The sending node's name.</summary>
    public string Sender => this switch
    {
        Heartbeat h => h.From.Name,
        TransferRequest r => r.From.Name,
        TransferAck a => a.From.Name,
        _ => throw new InvalidOperationException(),
    };
}
