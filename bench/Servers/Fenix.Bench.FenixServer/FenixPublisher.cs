using Fenix.Bench.ServerKit;

namespace Fenix.Bench.FenixServer;

/// <summary>Publishes through <see cref="IFenixBroadcaster"/>: serialized once, encoded once per serializer, shared bytes.</summary>
internal sealed class FenixPublisher(IFenixBroadcaster broadcaster) : IBenchPublisher
{
    public ValueTask PublishAsync(string topic, BenchMessage message)
    {
        broadcaster.Broadcast(topic, "msg", message);
        return ValueTask.CompletedTask;
    }
}
