namespace Fenix.Presence.Sharding;

/// <summary>
/// Gossip timing of a tracker shard (§8.2). Every node of a cluster should use the same values. The defaults are
/// Phoenix's: a heartbeat every 1.5 s, an empty one after 10 silent periods, a peer down after 30 s of silence and
/// purged after 20 minutes.
/// </summary>
public class TrackerShardOptions
{
    /// <summary>The gossip tick: deltas are batched and broadcast this often. Default 1.5 s.</summary>
    public TimeSpan BroadcastPeriod { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Ticks without changes before an empty heartbeat is sent to show liveness. Default 10.</summary>
    public int MaxSilentPeriods { get; set; } = 10;

    /// <summary>
    /// Silence after which a peer is down: its presences leave (but are kept for a quick return). Default (null):
    /// <see cref="BroadcastPeriod"/> × <see cref="MaxSilentPeriods"/> × 2 = 30 s. Must be at least twice the broadcast period.
    /// </summary>
    public TimeSpan? DownPeriod { get; set; }

    /// <summary>Silence after which a peer is permanently down and its presences are purged. Default 20 minutes; must exceed the down period.</summary>
    public TimeSpan PermdownPeriod { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Ticks between decisions to ask better-informed peers for a transfer. Default 2.</summary>
    public int ClockSamplePeriods { get; set; } = 2;

    /// <summary>When the shard stops, tell peers to drop its presences at once (Phoenix's <c>permdown_on_shutdown</c>). Default false.</summary>
    public bool PermdownOnShutdown { get; set; }

    /// <summary>The down period in force: <see cref="DownPeriod"/> or its default.</summary>
    public TimeSpan EffectiveDownPeriod => DownPeriod ?? BroadcastPeriod * MaxSilentPeriods * 2;

    /// <summary>Throws with a message that says what to fix when the timing is inconsistent.</summary>
    public virtual void Validate()
    {
        if (BroadcastPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BroadcastPeriod), BroadcastPeriod, "The broadcast period must be positive.");
        }

        if (MaxSilentPeriods < 0 || ClockSamplePeriods < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ClockSamplePeriods), "MaxSilentPeriods must be ≥ 0 and ClockSamplePeriods ≥ 1.");
        }

        if (EffectiveDownPeriod < BroadcastPeriod * 2)
        {
            throw new ArgumentOutOfRangeException(
                nameof(DownPeriod), EffectiveDownPeriod, $"The down period must be at least twice the broadcast period ({BroadcastPeriod}).");
        }

        if (PermdownPeriod <= EffectiveDownPeriod)
        {
            throw new ArgumentOutOfRangeException(
                nameof(PermdownPeriod), PermdownPeriod, $"The permdown period must be longer than the down period ({EffectiveDownPeriod}).");
        }
    }
}
