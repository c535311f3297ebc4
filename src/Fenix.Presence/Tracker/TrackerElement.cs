using System.Text.Json;

namespace Fenix.Presence.Tracker;

/// <summary>
/// One tracked presence: its identity, its meta (a JSON object the CRDT never looks into, already carrying its
/// <c>phx_ref</c>) and the dot that created this version. Immutable, so one instance may be shared by the state,
/// the deltas it hands out and other threads.
/// </summary>
internal sealed class TrackerElement
{
    /// <summary>Creates an element; the meta is detached from any disposable <see cref="JsonDocument"/>.</summary>
    /// <exception cref="ArgumentException">The meta is not a JSON object.</exception>
    public TrackerElement(string topic, string owner, string key, JsonElement meta, Dot dot)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(dot.Replica.Name, nameof(dot));
        if (meta.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException(
                $"A presence meta must be a JSON object (got {meta.ValueKind}); build it with JsonSerializer.SerializeToElement(...).",
                nameof(meta));
        }

        Topic = topic;
        Owner = owner;
        Key = key;
        // Clone() is free for an element that is already detached; it protects the state from a caller that
        // disposes the JsonDocument the meta came from.
        Meta = meta.Clone();
        Dot = dot;
    }

    /// <summary>The topic the presence is tracked under.</summary>
    public string Topic { get; }

    /// <summary>The cluster-unique process or connection that holds the presence.</summary>
    public string Owner { get; }

    /// <summary>The presence key (e.g. a user id), already a string.</summary>
    public string Key { get; }

    /// <summary>The presence meta (a detached JSON object).</summary>
    public JsonElement Meta { get; }

    /// <summary>The dot that created this version of the element.</summary>
    public Dot Dot { get; }

    /// <summary>The replica that owns (and alone writes) this element.</summary>
    public ReplicaRef Replica => Dot.Replica;

    /// <summary>The element's identity.</summary>
    public ElementId Id => new(Topic, Owner, Key);

    /// <inheritdoc />
    public override string ToString() => $"{Topic}/{Owner}/{Key}@{Dot}";
}
