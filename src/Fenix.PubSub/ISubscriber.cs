namespace Fenix.PubSub;

/// <summary>
/// Something that receives messages published on the topics it subscribed to.
/// <see cref="Deliver"/> runs on the publisher's thread, once per subscriber per message: it must not block
/// and must not throw (enqueue the work and return).
/// </summary>
public interface ISubscriber
{
    void Deliver(string topic, object message);
}
