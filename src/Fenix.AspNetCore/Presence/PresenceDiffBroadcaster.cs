using System.Text.Json;
using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Transports;
using Fenix.Presence;
using Fenix.PubSub;

namespace Fenix.AspNetCore.Presence;

/// <summary>
/// Sends each presence diff to the topic's subscribers on this node only, as the broadcast
/// <c>[null,null,topic,"presence_diff",{"joins":{...},"leaves":{...}}]</c>: serialized once, then fastlaned and encoded
/// once per serializer like any broadcast. Other nodes publish their own diffs from their replica of the tracker.
/// </summary>
internal sealed class PresenceDiffBroadcaster(FenixPubSub pubSub, JsonSerializerOptions json) : IPresenceDiffPublisher
{
    public void Publish(PresenceDiff diff)
    {
        var payload = Payload.From(diff, json);
        using var batch = WriterBatch.Begin();
        pubSub.LocalBroadcast(diff.Topic, new BroadcastMessage(new Broadcast(diff.Topic, PhoenixEvents.PresenceDiff, payload)));
    }

    public int AudienceOf(string topic) => pubSub.SubscriberCount(topic);
}
