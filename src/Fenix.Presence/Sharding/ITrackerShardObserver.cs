using Fenix.Presence.Tracker;

namespace Fenix.Presence.Sharding;

/// <summary>
/// Receives what a <see cref="TrackerShard"/> reports, on the shard's loop and in the loop's order. Both calls must be
/// quick and must neither block nor throw: queue the work and return (the tracker callback of Phoenix's shard).
/// </summary>
internal interface ITrackerShardObserver
{
    /// <summary>Presences became visible or stopped being visible (local operations, merges, replica up/down).</summary>
    void OnDiff(TrackerDiff diff);

    /// <summary>
    /// A read of <paramref name="topic"/> was served: it reflects every diff reported before this call and none reported
    /// after it. Lets an observer that delays diffs (coalescing) know what a reader may already have seen.
    /// </summary>
    void OnRead(string topic);
}
