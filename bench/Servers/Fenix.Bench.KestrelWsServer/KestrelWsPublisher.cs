using System.Text.Json;
using Fenix.Bench.ServerKit;

namespace Fenix.Bench.KestrelWsServer;

/// <summary>Serializes the message once and writes the same bytes to every socket of the topic.</summary>
internal sealed class KestrelWsPublisher(TopicSockets sockets) : IBenchPublisher
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ValueTask PublishAsync(string topic, BenchMessage message) =>
        new(sockets.SendAsync(topic, JsonSerializer.SerializeToUtf8Bytes(message, Json)));
}
