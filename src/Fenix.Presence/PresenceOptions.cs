using System.Text.Json;
using Fenix.Presence;
using Fenix.Presence.Diffs;
using Fenix.Presence.Sharding;

namespace Fenix;

/// <summary>
/// Settings of <see cref="PresenceTracker"/>: the gossip timing it inherits (every node of a cluster should agree on
/// those and on <see cref="PoolSize"/>), meta limits, the fetch hook and per-topic diff coalescing.
/// </summary>
public sealed class PresenceOptions : TrackerShardOptions
{
    private readonly List<CoalescingRule> _coalescing = [];

    /// <summary>Names the shards (<c>&lt;name&gt;_shard&lt;n&gt;</c>) and so their gossip topics. Default <c>"fenix_presence"</c>.</summary>
    public string TrackerName { get; set; } = "fenix_presence";

    /// <summary>Number of shards (independent loops); a topic lives on shard <c>FNV-1a(topic) mod PoolSize</c>. Default 1.</summary>
    public int PoolSize { get; set; } = 1;

    /// <summary>Largest meta accepted, in bytes of JSON (before <c>phx_ref</c> is added). Default 4 KB.</summary>
    public int MaxMetaBytes { get; set; } = 4 * 1024;

    /// <summary>How metas and fetch extras are serialized. Default: web conventions (the ASP.NET Core glue uses Fenix's settings).</summary>
    public JsonSerializerOptions? JsonOptions { get; set; }

    /// <summary>A fetch hook as a delegate, for tests of the tracker alone; applications register an <see cref="IPresenceFetcher"/>.</summary>
    internal Func<string, PresenceMap, CancellationToken, ValueTask>? Fetch { get; set; }

    /// <summary>Most fetches running at once per shard; diffs are still published in order. Default 16.</summary>
    public int MaxConcurrentFetches { get; set; } = 16;

    /// <summary>
    /// Adaptive coalescing, on by default for every topic without a <see cref="CoalesceDiffs"/> rule: a topic sends this
    /// many diffs at once (and gets one back per <see cref="AdaptiveCoalescingInterval"/>); once they are spent, its
    /// changes merge into one <c>presence_diff</c> per interval until it calms down. A quiet room delivers each change
    /// at once, like Phoenix; a room where hundreds join at once costs one frame per member per interval instead of one
    /// per join. 0 turns it off: every diff is sent at once. Default 10.
    /// </summary>
    public int AdaptiveCoalescingBurst { get; set; } = 10;

    /// <summary>
    /// The longest a change of a busy topic waits under adaptive coalescing, and the time a spent burst takes to earn
    /// back one diff. Default 100 ms.
    /// </summary>
    public TimeSpan AdaptiveCoalescingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Under adaptive coalescing, the most <c>presence_diff</c> frames per second a busy topic sends to its subscribers on
    /// this node: a merged diff to N subscribers waits at least N ÷ this long after the previous one (never less than
    /// <see cref="AdaptiveCoalescingInterval"/>, never more than 1 s). A room of 5,000 filling at once then gets a merged
    /// diff every 500 ms instead of every 100 ms, and one of 2,000 every 200 ms, which cuts the frames every member must
    /// receive (and the server must send) while the room fills; rooms up to 1,000 members are unaffected, and a quiet
    /// room still gets every change at once. 0 turns the limit off. Default 10,000.
    /// </summary>
    public int AdaptiveCoalescingMaxFramesPerSecond { get; set; } = 10_000;

    /// <summary>The coalescing rules, first match wins.</summary>
    internal IReadOnlyList<CoalescingRule> Coalescing => _coalescing;

    /// <summary>
    /// Merges all joins and leaves of each topic matching <paramref name="pattern"/> (exact, or a prefix ending in
    /// <c>*</c>) within <paramref name="window"/> into one <c>presence_diff</c>: a large room then costs one frame per
    /// member per window instead of one per change, at the price of up to <paramref name="window"/> of extra latency.
    /// </summary>
    public PresenceOptions CoalesceDiffs(string pattern, TimeSpan window)
    {
        _coalescing.Add(new CoalescingRule(pattern, window));
        return this;
    }

    /// <summary>The coalescing window of <paramref name="topic"/>, or null when its diffs go out at once.</summary>
    internal TimeSpan? CoalescingWindowFor(string topic)
    {
        foreach (var rule in _coalescing)
        {
            if (rule.Matches(topic))
            {
                return rule.Window;
            }
        }

        return null;
    }

    /// <summary>Throws with a message that says what to fix when a setting is out of range.</summary>
    public override void Validate()
    {
        base.Validate();
        ArgumentException.ThrowIfNullOrEmpty(TrackerName, nameof(TrackerName));
        ArgumentOutOfRangeException.ThrowIfLessThan(PoolSize, 1, nameof(PoolSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMetaBytes, 2, nameof(MaxMetaBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentFetches, 1, nameof(MaxConcurrentFetches));
        ArgumentOutOfRangeException.ThrowIfNegative(AdaptiveCoalescingBurst, nameof(AdaptiveCoalescingBurst));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AdaptiveCoalescingInterval, TimeSpan.Zero, nameof(AdaptiveCoalescingInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(AdaptiveCoalescingMaxFramesPerSecond, nameof(AdaptiveCoalescingMaxFramesPerSecond));
    }
}
