using System.Globalization;
using System.Text.Json;
using Fenix.Presence;

namespace Fenix.AspNetCore.Presence;

/// <summary>
/// <see cref="IPresence"/> over the node's <see cref="PresenceTracker"/>: a channel is the owner
/// <c>&lt;node&gt;/&lt;tracker instance&gt;/&lt;channel id&gt;</c>, ended by the channel server's <c>Ended</c> token.
/// </summary>
internal sealed class ChannelPresence(PresenceTracker tracker) : IPresence
{
    public Task<string> TrackAsync(Channel channel, string key, object meta) =>
        tracker.TrackAsync(OwnerOf(channel), channel.Topic, key, meta);

    public Task UntrackAsync(Channel channel, string key) =>
        tracker.UntrackAsync(OwnerOf(channel), channel.Topic, key);

    public Task<string> UpdateAsync(Channel channel, string key, object meta) =>
        tracker.UpdateAsync(OwnerOf(channel), channel.Topic, key, meta);

    public Task<string> UpdateAsync(Channel channel, string key, Func<JsonElement, object> update) =>
        tracker.UpdateAsync(OwnerOf(channel), channel.Topic, key, update);

    public Task<PresenceMap> ListAsync(Channel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return tracker.ListAsync(channel.Topic);
    }

    public Task<PresenceMap> ListAsync(string topic, CancellationToken cancellationToken = default) =>
        tracker.ListAsync(topic, cancellationToken);

    public Task<PresenceEntry?> GetByKeyAsync(string topic, string key, CancellationToken cancellationToken = default) =>
        tracker.GetByKeyAsync(topic, key, cancellationToken);

    public Task<string> TrackAsync(string topic, string key, object meta) => tracker.TrackAsync(topic, key, meta);

    public Task UntrackAsync(string topic, string key) => tracker.UntrackAsync(topic, key);

    public Task<string> UpdateAsync(string topic, string key, object meta) => tracker.UpdateAsync(topic, key, meta);

    private PresenceOwner OwnerOf(Channel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var server = channel.Server;
        return tracker.CreateOwner(server.Id.ToString(CultureInfo.InvariantCulture), server.Ended);
    }
}
