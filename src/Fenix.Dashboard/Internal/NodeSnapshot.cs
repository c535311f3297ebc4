using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fenix.Dashboard.Internal;

/// <summary>
/// What one node reports to every open dashboard, each refresh interval (event <c>node</c> on topic
/// <c>fenix_dashboard</c>). Totals are running counts since the node started watching; pages turn them into rates.
/// </summary>
internal sealed record NodeSnapshot(
    string Node,
    string Version,
    long StartedAt,
    long At,
    string Backend,
    bool Connected,
    IReadOnlyDictionary<string, long> Connections,
    long Channels,
    long MessagesIn,
    long MessagesOut,
    long SlowConsumers,
    long Crashes,
    int TopicCount,
    IReadOnlyList<TopicRow> Topics,
    IReadOnlyList<PeerRow> Peers,
    IReadOnlyList<LoggedError> Errors);

/// <summary>A topic with its joined channels on this node and, when presence is on, its presences (cluster-wide).</summary>
internal sealed record TopicRow(string Topic, int Channels, int? PresenceKeys, int? PresenceMetas);

/// <summary>Another node as this node's presence sees it.</summary>
internal sealed record PeerRow(string Node, bool Up);

/// <summary>The presence panel's answer for one topic.</summary>
internal sealed record PresenceRow(string Key, int Metas);

/// <summary>The dashboard's wire format: snake_case, whatever the application's own JSON options are.</summary>
internal static class DashboardJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Payload ToPayload<T>(T value) => Payload.From(value, Options);
}
