namespace Fenix.Presence.Diffs;

/// <summary>
/// Adaptive coalescing, the pure decision part: a token bucket per topic (capacity <c>burst</c>, one token back per
/// <c>interval</c>). While a topic has tokens each diff is sent at once (a quiet room sees a join within
/// milliseconds, as in Phoenix); once its burst is spent the topic switches to <see cref="TopicState.Holding"/>: its
/// diffs merge into one window that closes when the next token is due, and that merged diff takes the token. A room
/// that keeps changing therefore costs at most one frame per member per interval, whatever its join rate. The interval
/// of a topic grows with its audience (the recipients of each diff) so that a busy topic sends at most
/// <c>maxFramesPerSecond</c> frames: a merged diff to 5,000 members costs 5,000 frames, and every member's client parses
/// each, so a huge room filling at once gets fewer, larger diffs (up to one per second) instead of overwhelming its
/// members.
/// </summary>
/// <remarks>
/// Not thread-safe (the <see cref="DiffPipeline"/> calls it under its lock) and timeless: every call passes the
/// current time, so tests drive it with plain values. Idle topics whose bucket is full are forgotten.
/// </remarks>
internal sealed class DiffRateGate
{
    private const int MinSweepAt = 64;

    /// <summary>The longest interval the audience may stretch a topic's to.</summary>
    private static readonly TimeSpan MaxAudienceInterval = TimeSpan.FromSeconds(1);

    private readonly int _burst;
    private readonly TimeSpan _interval;
    private readonly int _maxFramesPerSecond;

    /// <summary>Topics that are holding or have spent tokens; a topic absent from it has a full bucket and sends at once.</summary>
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>The bucket count at which the next sweep of idle, full buckets runs (amortized O(1) per diff).</summary>
    private int _sweepAt = MinSweepAt;

    /// <param name="burst">Diffs a topic may send at once; 0 disables the gate (every diff is sent at once).</param>
    /// <param name="interval">The time one token takes to come back, for a small audience: the longest a held diff waits.</param>
    /// <param name="maxFramesPerSecond">
    /// Frames per second a busy topic may send in all (0: no limit): a topic whose diffs reach A recipients gets a token
    /// back every A ÷ this seconds when that is longer than <paramref name="interval"/> (at most 1 s).
    /// </param>
    public DiffRateGate(int burst, TimeSpan interval, int maxFramesPerSecond = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(burst);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFramesPerSecond);
        _burst = burst;
        _interval = interval;
        _maxFramesPerSecond = maxFramesPerSecond;
    }

    /// <summary>What a topic does with its next diff.</summary>
    public enum TopicState
    {
        /// <summary>Tokens left: the diff goes out now.</summary>
        Sending,

        /// <summary>Burst spent: diffs merge into the open window until it closes.</summary>
        Holding,
    }

    /// <summary>Topics the gate currently remembers (for tests: idle topics must not accumulate).</summary>
    public int TrackedTopics => _buckets.Count;

    /// <summary>The state of <paramref name="topic"/> (a forgotten topic is sending).</summary>
    public TopicState StateOf(string topic) =>
        _buckets.TryGetValue(topic, out var bucket) && bucket.Holding ? TopicState.Holding : TopicState.Sending;

    /// <summary>The interval of a topic whose diffs reach <paramref name="audience"/> recipients.</summary>
    public TimeSpan IntervalFor(int audience)
    {
        if (_maxFramesPerSecond == 0 || audience <= 0)
        {
            return _interval;
        }

        var spread = TimeSpan.FromTicks(Math.Min(MaxAudienceInterval.Ticks, audience * TimeSpan.TicksPerSecond / _maxFramesPerSecond));
        return spread > _interval ? spread : _interval;
    }

    /// <summary>
    /// A diff of <paramref name="topic"/> at <paramref name="now"/>, whose diffs reach <paramref name="audience"/>
    /// recipients (0: unknown). Returns null to send it at once; otherwise the diff is held: a positive delay means a
    /// window opens now and must be closed (<see cref="OnWindowClosed"/>) that much later, <see cref="TimeSpan.Zero"/>
    /// means the topic's window is already open and the diff joins it.
    /// </summary>
    public TimeSpan? OnDiff(string topic, TimeSpan now, int audience = 0)
    {
        if (_burst == 0)
        {
            return null;
        }

        if (!_buckets.TryGetValue(topic, out var bucket))
        {
            MaybeSweep(now);
            bucket = new Bucket(_burst, now, _interval);
            _buckets[topic] = bucket;
        }

        if (bucket.Holding)
        {
            return TimeSpan.Zero;
        }

        Refill(bucket, now);
        bucket.Interval = IntervalFor(audience); // from now on: tokens earned so far were earned at the old rate
        if (bucket.Tokens >= 1)
        {
            bucket.Tokens -= 1;
            return null;
        }

        bucket.Holding = true;
        var wait = bucket.Interval * (1 - bucket.Tokens);
        return wait > TimeSpan.Zero ? wait : TimeSpan.FromTicks(1);
    }

    /// <summary>The window of <paramref name="topic"/> closed at <paramref name="now"/>: its merged diff takes a token; the topic sends again.</summary>
    public void OnWindowClosed(string topic, TimeSpan now)
    {
        if (!_buckets.TryGetValue(topic, out var bucket) || !bucket.Holding)
        {
            return;
        }

        bucket.Holding = false;
        Refill(bucket, now);
        bucket.Tokens -= 1;
    }

    private void Refill(Bucket bucket, TimeSpan now)
    {
        if (now > bucket.Stamp)
        {
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + ((now - bucket.Stamp) / bucket.Interval));
            bucket.Stamp = now;
        }
    }

    /// <summary>Forgets topics that are not holding and whose bucket has refilled: they behave exactly like new ones.</summary>
    private void MaybeSweep(TimeSpan now)
    {
        if (_buckets.Count < _sweepAt)
        {
            return;
        }

        List<string>? idle = null;
        foreach (var (topic, bucket) in _buckets)
        {
            if (!bucket.Holding && bucket.Tokens + ((now - bucket.Stamp) / bucket.Interval) >= _burst)
            {
                (idle ??= []).Add(topic);
            }
        }

        foreach (var topic in idle ?? [])
        {
            _buckets.Remove(topic);
        }

        _sweepAt = Math.Max(MinSweepAt, _buckets.Count * 2);
    }

    private sealed class Bucket(int tokens, TimeSpan stamp, TimeSpan interval)
    {
        /// <summary>The time one token takes to come back, set from the topic's audience at each diff that is not held.</summary>
        public TimeSpan Interval { get; set; } = interval;

        /// <summary>Tokens available at <see cref="Stamp"/>; at most the burst, slightly below 0 after a window closed early.</summary>
        public double Tokens { get; set; } = tokens;

        public TimeSpan Stamp { get; set; } = stamp;

        /// <summary>A window is open: diffs merge into it until <see cref="OnWindowClosed"/>.</summary>
        public bool Holding { get; set; }
    }
}
