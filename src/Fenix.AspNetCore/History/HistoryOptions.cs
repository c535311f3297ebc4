using Fenix.PubSub.History;

namespace Fenix;

/// <summary>
/// Which topics keep a history of their broadcasts, so that a client that reconnects gets the messages it missed
/// (docs/history.md). Nothing is kept unless a topic pattern is added with <see cref="Topic"/>; topics that match no
/// pattern behave exactly as without history.
/// </summary>
/// <example><code>builder.Services.AddFenix(o => o.History.Topic("rooms:*", size: 1000, ttl: TimeSpan.FromMinutes(10)));</code></example>
public sealed class HistoryOptions
{
    private readonly List<HistoryTopic> _topics = [];

    /// <summary>The history topics, in the order added (the first pattern that matches a topic applies).</summary>
    public IReadOnlyList<HistoryTopic> Topics => _topics;

    /// <summary>True when at least one topic pattern keeps history.</summary>
    public bool IsEnabled => _topics.Count > 0;

    /// <summary>The most messages one (re)join may replay; a client further behind is told "not recovered". Default 1,000.</summary>
    public int MaxRecoveryMessages { get; set; } = 1000;

    /// <summary>The most bytes (events and payloads) one (re)join may replay; beyond it, "not recovered". Default 1 MiB.</summary>
    public long MaxRecoveryBytes { get; set; } = 1024 * 1024;

    /// <summary>The budget of the in-memory store (single node) for all topics; the oldest entries go first. Default 64 MiB.</summary>
    public long MaxMemoryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long an idle topic keeps its stream's epoch and offset (its entries go after the topic's ttl): a topic idle
    /// for longer starts a new epoch, which clients still holding old positions see as "not recovered". Default 1 day.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a node holds a message whose predecessors have not arrived yet (two nodes publishing to one topic: their
    /// broadcasts travel separately) before it reads the missing ones from the store. Default 500 ms.
    /// </summary>
    public TimeSpan ReorderWindow { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The most messages a node holds per topic while waiting for missing ones; beyond it, it reads the store at once. Default 10,000.</summary>
    public int MaxHeldMessages { get; set; } = 10_000;

    /// <summary>
    /// Bytes of broadcasts waiting for the store to give them a position; beyond it broadcasts go out live without one
    /// (and the topic's epoch moves on). Default 16 MiB.
    /// </summary>
    public long MaxPendingAppendBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Builds the store (<see cref="UseStore"/>); null means the in-memory store of this node (single node only). The
    /// Redis glue sets it too: <c>UseRedis</c> only when the application chose no store, <c>UseRedisHistory</c> always.
    /// </summary>
    internal Func<IServiceProvider, IHistoryStore>? StoreFactory { get; set; }

    /// <summary>
    /// Keeps the last <paramref name="size"/> broadcasts of every topic matching <paramref name="pattern"/> for
    /// <paramref name="ttl"/> (default 10 minutes). A pattern is a topic, or a prefix ending in <c>*</c> (<c>"rooms:*"</c>).
    /// </summary>
    public HistoryOptions Topic(string pattern, int size = 1000, TimeSpan? ttl = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var topic = new HistoryTopic(pattern, new HistoryLimits(size, ttl ?? TimeSpan.FromMinutes(10)));
        topic.Limits.Validate();
        if (pattern.IndexOf('*') is var star and >= 0 && star != pattern.Length - 1)
        {
            throw new ArgumentException($"The history pattern \"{pattern}\" has a '*' that is not at its end: use a topic (\"rooms:lobby\") or a prefix (\"rooms:*\").", nameof(pattern));
        }

        _topics.Add(topic);
        return this;
    }

    /// <summary>
    /// Uses <paramref name="factory"/> to build the history store (e.g. a shared one for a cluster); without a store
    /// history is kept in this node's memory (single node only). <c>UseRedis</c> keeps a store chosen here.
    /// </summary>
    public HistoryOptions UseStore(Func<IServiceProvider, IHistoryStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        StoreFactory = factory;
        return this;
    }

    /// <summary>The history settings of <paramref name="topic"/>, or null when it keeps none.</summary>
    internal HistoryTopic? Find(string topic)
    {
        foreach (var candidate in _topics)
        {
            if (candidate.Matches(topic))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Throws with what to fix when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecoveryMessages, 1, nameof(MaxRecoveryMessages));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRecoveryMessages, 100_000, nameof(MaxRecoveryMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecoveryBytes, 1024, nameof(MaxRecoveryBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMemoryBytes, 64 * 1024, nameof(MaxMemoryBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReorderWindow, TimeSpan.FromMilliseconds(1), nameof(ReorderWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeldMessages, 1, nameof(MaxHeldMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingAppendBytes, 1024, nameof(MaxPendingAppendBytes));
        foreach (var topic in _topics)
        {
            if (Retention < topic.Limits.Ttl)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(Retention), $"History.Retention ({Retention}) must be at least the ttl of every history topic (\"{topic.Pattern}\": {topic.Limits.Ttl}).");
            }
        }
    }
}

/// <summary>A history topic pattern and what its topics keep.</summary>
public sealed record HistoryTopic(string Pattern, HistoryLimits Limits)
{
    /// <summary>True when <paramref name="topic"/> is this pattern, or starts with its prefix (patterns ending in <c>*</c>).</summary>
    internal bool Matches(string topic) => Pattern.EndsWith('*')
        ? topic.StartsWith(Pattern.AsSpan(0, Pattern.Length - 1), StringComparison.Ordinal)
        : topic == Pattern;
}
