using Fenix.PubSub;

namespace Fenix.AspNetCore.Broadcasting;

/// <summary>Rebuilds <see cref="BroadcastMessage"/>s that arrive from other nodes.</summary>
internal sealed class BroadcastMessageDecoder : IPubSubMessageDecoder
{
    public string Codec => BroadcastMessage.CodecName;

    public object Decode(string topic, ReadOnlyMemory<byte> bytes) => BroadcastMessage.Decode(topic, bytes);
}

/// <summary>Rebuilds broadcasts of history topics (with their position) that arrive from other nodes.</summary>
internal sealed class PositionedBroadcastDecoder : IPubSubMessageDecoder
{
    public string Codec => BroadcastMessage.PositionedCodecName;

    public object Decode(string topic, ReadOnlyMemory<byte> bytes) => BroadcastMessage.DecodePositioned(topic, bytes);
}
