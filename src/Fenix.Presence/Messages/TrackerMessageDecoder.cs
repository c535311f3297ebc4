using Fenix.PubSub;

namespace Fenix.Presence.Messages;

/// <summary>Rebuilds <see cref="TrackerMessage"/>s that arrive from other nodes; registered on PubSub by the shards.</summary>
internal sealed class TrackerMessageDecoder : IPubSubMessageDecoder
{
    /// <inheritdoc />
    public string Codec => TrackerMessage.CodecName;

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The bytes are not a tracker message of a supported version.</exception>
    public object Decode(string topic, ReadOnlyMemory<byte> bytes) => TrackerMessageReader.Read(bytes.Span);
}
