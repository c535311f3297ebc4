using System.Reflection;
using Fenix.Diagnostics;
using Fenix.Presence;
using Fenix.Presence.Tracker;
using Fenix.PubSub;
using Microsoft.Extensions.Options;

namespace Fenix.Dashboard.Internal;

/// <summary>Gathers this node's figures into a <see cref="NodeSnapshot"/> (on demand; nothing runs while nobody watches).</summary>
internal sealed class DashboardCollector(
    FenixPubSub pubSub,
    FenixTopicStatistics topics,
    MeterTotals totals,
    RecentErrors errors,
    IOptions<FenixDashboardOptions> options,
    TimeProvider time,
    PresenceTracker? presence = null)
{
    private static readonly string Version =
        typeof(FenixTopicStatistics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";

    private readonly long _startedAt = time.GetUtcNow().ToUnixTimeMilliseconds();

    public string NodeName => pubSub.NodeName;

    public async Task<NodeSnapshot> CollectAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (connections, channels) = totals.Observe();
        var rows = new List<TopicRow>();
        foreach (var (topic, count) in topics.Top(settings.MaxTopics))
        {
            var (keys, metas) = await CountPresenceAsync(topic);
            rows.Add(new TopicRow(topic, count, keys, metas));
        }

        var peers = presence is null
            ? []
            : (await presence.GetPeersAsync(cancellationToken)).Select(peer => new PeerRow(peer.Node, peer.Status == ReplicaStatus.Up)).ToList();
        var status = pubSub.Adapter as IPubSubAdapterStatus;
        return new NodeSnapshot(
            pubSub.NodeName,
            Version,
            _startedAt,
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            status?.Backend ?? pubSub.Adapter.GetType().Name,
            status?.IsConnected ?? true,
            connections,
            channels,
            totals.Total(MeterTotals.MessagesIn),
            totals.Total(MeterTotals.MessagesOut),
            totals.Total(MeterTotals.SlowConsumers),
            totals.Total(MeterTotals.Crashes),
            topics.TopicCount,
            rows,
            peers,
            errors.Snapshot());
    }

    /// <summary>The presences of one topic (keys and their meta counts, most metas first), straight from the tracker: no fetch hook runs.</summary>
    public async Task<IReadOnlyList<PresenceRow>> PresenceAsync(string topic)
    {
        if (presence is null)
        {
            return [];
        }

        var elements = await presence.ShardFor(topic).ListAsync(topic);
        return [.. elements
            .GroupBy(element => element.Key, StringComparer.Ordinal)
            .Select(group => new PresenceRow(group.Key, group.Count()))
            .OrderByDescending(row => row.Metas)
            .ThenBy(row => row.Key, StringComparer.Ordinal)
            .Take(options.Value.MaxPresenceKeys)];
    }

    private async Task<(int? Keys, int? Metas)> CountPresenceAsync(string topic)
    {
        if (presence is null)
        {
            return (null, null);
        }

        var elements = await presence.ShardFor(topic).ListAsync(topic);
        return elements.Count == 0 ? (null, null) : (elements.Select(element => element.Key).Distinct(StringComparer.Ordinal).Count(), elements.Count);
    }
}
