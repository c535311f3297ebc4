namespace Fenix;

/// <summary>
/// An update named a presence that this owner does not track (Phoenix's <c>nopresence</c>): it was never tracked,
/// was untracked, or its owner ended. Track it first.
/// </summary>
public sealed class PresenceNotTrackedException : InvalidOperationException
{
    public PresenceNotTrackedException(string ownerId, string topic, string key)
        : base($"'{ownerId}' does not track key '{key}' on topic '{topic}', so it cannot be updated. Track it first (TrackAsync).")
    {
        OwnerId = ownerId;
        Topic = topic;
        Key = key;
    }

    public string OwnerId { get; }

    public string Topic { get; }

    public string Key { get; }
}
