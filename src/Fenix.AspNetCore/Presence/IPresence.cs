using System.Text.Json;

namespace Fenix;

/// <summary>
/// Phoenix Presence for channels: inject it into a channel (or anywhere) after <c>AddFenix().AddPresence()</c>.
/// A presence tracked with a channel lives on the channel's topic and leaves by itself when the channel ends (leave,
/// crash, connection loss, duplicate join); its changes reach every member of the topic as <c>presence_diff</c>.
/// After joining, push the current state so the JS client can sync:
/// <code>
/// await presence.TrackAsync(this, user, new { online_at = now });
/// Push("presence_state", await presence.ListAsync(this));
/// </code>
/// </summary>
public interface IPresence
{
    /// <summary>Tracks <paramref name="key"/> on the channel's topic for the channel; returns the meta's <c>phx_ref</c>.</summary>
    /// <exception cref="PresenceAlreadyTrackedException">The channel already tracks this key.</exception>
    /// <exception cref="ArgumentException">The meta does not serialize to a JSON object within the size limit.</exception>
    Task<string> TrackAsync(Channel channel, string key, object meta);

    /// <summary>Removes the channel's presence for <paramref name="key"/> (nothing if there is none).</summary>
    Task UntrackAsync(Channel channel, string key);

    /// <summary>Replaces the meta of the channel's presence (new <c>phx_ref</c>, <c>phx_ref_prev</c> = the old one); returns the new ref.</summary>
    /// <exception cref="PresenceNotTrackedException">The channel does not track this key.</exception>
    Task<string> UpdateAsync(Channel channel, string key, object meta);

    /// <summary>Like <see cref="UpdateAsync(Channel, string, object)"/> with the new meta computed from the stored one.</summary>
    Task<string> UpdateAsync(Channel channel, string key, Func<JsonElement, object> update);

    /// <summary>The presences of the channel's topic: the payload of <c>presence_state</c>.</summary>
    Task<PresenceMap> ListAsync(Channel channel);

    /// <summary>The presences of <paramref name="topic"/>, grouped by key, after the fetch hook.</summary>
    Task<PresenceMap> ListAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>The presence of one key of <paramref name="topic"/>, or null when nobody tracks it.</summary>
    Task<PresenceEntry?> GetByKeyAsync(string topic, string key, CancellationToken cancellationToken = default);

    /// <summary>Tracks a presence owned by this node, not by a channel: it stays until untracked (e.g. a background worker's status).</summary>
    Task<string> TrackAsync(string topic, string key, object meta);

    /// <summary>Removes a presence tracked without a channel.</summary>
    Task UntrackAsync(string topic, string key);

    /// <summary>Updates a presence tracked without a channel.</summary>
    Task<string> UpdateAsync(string topic, string key, object meta);
}
