namespace Fenix;

/// <summary>
/// Broadcasts to channel topics from anywhere — a controller, a hosted service — and disconnects sockets by id.
/// Inject it; it is a singleton and safe to use from any thread.
/// </summary>
public interface IFenixBroadcaster
{
    /// <summary>Sends <paramref name="event"/> to every subscriber of <paramref name="topic"/> on every node.
    /// <paramref name="payload"/> is an object serialized to a JSON object, a <see cref="Payload"/>, or bytes for binary.</summary>
    void Broadcast(string topic, string @event, object? payload = null);

    /// <summary>Like <see cref="Broadcast"/>, on this node only.</summary>
    void LocalBroadcast(string topic, string @event, object? payload = null);

    /// <summary>Closes every connection whose socket id is <paramref name="socketId"/> (e.g. <c>"users_socket:42"</c>), on every node.
    /// Clients reconnect (close code 1001), so revoke their credentials first.</summary>
    void Disconnect(string socketId);
}
