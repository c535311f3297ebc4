using System.Text.Json;
using System.Text.Json.Serialization;
using Fenix.Presence;

namespace Fenix;

/// <summary>
/// The payload of a <c>presence_diff</c> on <see cref="Topic"/>: <c>{"joins": {...}, "leaves": {...}}</c>, both keys always
/// present (§7.2). An updated meta appears as a leave of the old version and a join of the new one.
/// </summary>
[JsonConverter(typeof(PresenceDiffJsonConverter))]
public sealed class PresenceDiff
{
    internal PresenceDiff(string topic, PresenceMap joins, PresenceMap leaves)
    {
        Topic = topic ?? throw new ArgumentNullException(nameof(topic));
        Joins = joins ?? throw new ArgumentNullException(nameof(joins));
        Leaves = leaves ?? throw new ArgumentNullException(nameof(leaves));
    }

    /// <summary>The topic the diff is about (not part of the JSON).</summary>
    public string Topic { get; }

    /// <summary>Presences that arrived (or whose meta changed: the new version).</summary>
    public PresenceMap Joins { get; }

    /// <summary>Presences that went away (or whose meta changed: the old version).</summary>
    public PresenceMap Leaves { get; }

    /// <inheritdoc />
    public override string ToString() => JsonSerializer.Serialize(this);
}
