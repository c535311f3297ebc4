namespace Fenix.PubSub.History;

/// <summary>
/// Where history topics keep their recent messages, one stream per topic, and the single place that numbers them: a
/// store assigns each appended message the next offset of its topic's stream, so every node that shares the store sees
/// the same positions. Implementations: <see cref="InMemoryHistoryStore"/> (one node), the Redis store (a cluster).
/// </summary>
/// <remarks>
/// This is the extension point for another shared store (as SignalR's <c>HubLifetimeManager</c> is for another
/// backplane); register one with <c>options.History.UseStore(...)</c>. Appends of one caller to one topic must be
/// numbered in the order they were called (the caller issues them one after the other without awaiting). A new epoch
/// must compare after every earlier epoch of its topic (<see cref="HistoryEpoch.Compare"/>; <see cref="HistoryEpoch.New"/>
/// makes such names): nodes ignore messages of an older epoch. Methods may throw when the store is unreachable; callers
/// treat that as "no position".
/// </remarks>
public interface IHistoryStore
{
    /// <summary>True when every node of a cluster reaches the same store (required for history in a cluster).</summary>
    bool IsShared { get; }

    /// <summary>Connects (when the store is remote), giving up waiting (not trying) at <paramref name="cancellationToken"/>; called once at startup.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="data"/> to <paramref name="topic"/>'s stream and returns its position. A topic without a
    /// stream gets one in a new epoch; <paramref name="newEpoch"/> forces a new epoch (entries may have been lost).
    /// </summary>
    ValueTask<HistoryPosition> AppendAsync(string topic, ReadOnlyMemory<byte> data, HistoryLimits limits, bool newEpoch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives <paramref name="topic"/> a stream when it has none (<paramref name="force"/> false: a joining client gets a
    /// position before the first message), or starts a new epoch in any case (<paramref name="force"/> true: messages
    /// went out without a position while the store was unreachable, and a recovery in the old epoch must not skip them).
    /// Returns the stream's epoch and top (0 in a new epoch).
    /// </summary>
    ValueTask<HistoryPosition> StartEpochAsync(string topic, HistoryLimits limits, bool force, CancellationToken cancellationToken = default);

    /// <summary>Reads what <paramref name="query"/> asks for (see <see cref="HistoryQuery"/>).</summary>
    ValueTask<HistorySlice> ReadAsync(string topic, HistoryQuery query, CancellationToken cancellationToken = default);
}
