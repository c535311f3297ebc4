namespace Fenix;

/// <summary>
/// The owner already tracks this key on this topic (Phoenix's <c>already_tracked</c>). An owner holds at most one
/// presence per (topic, key); use <c>UpdateAsync</c> to change its meta, or track under another owner (another
/// session of the same user) to add a second meta to the key.
/// </summary>
public sealed class PresenceAlreadyTrackedException : InvalidOperationException
{
    public PresenceAlreadyTrackedException(string ownerId, string topic, string key)
        : base($"'{ownerId}' already tracks key '{key}' on topic '{topic}'. Use UpdateAsync to change its meta, or UntrackAsync first.")
    {
        OwnerId = ownerId;
        Topic = topic;
        Key = key;
    }

    public string OwnerId { get; }

    public string Topic { get; }

    public string Key { get; }
}
