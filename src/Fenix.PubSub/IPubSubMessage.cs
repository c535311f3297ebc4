using System.Buffers;

namespace Fenix.PubSub;

/// <summary>
/// A message that can cross nodes. Local subscribers receive the object itself; other nodes receive
/// <see cref="Encode"/>'s bytes and rebuild it with the <see cref="IPubSubMessageDecoder"/> named by <see cref="Codec"/>.
/// </summary>
public interface IPubSubMessage
{
    /// <summary>The name of the decoder that rebuilds this message on another node.</summary>
    string Codec { get; }

    void Encode(IBufferWriter<byte> output);
}

/// <summary>Rebuilds messages of one <see cref="Codec"/> that arrived from another node.</summary>
public interface IPubSubMessageDecoder
{
    string Codec { get; }

    /// <summary>Rebuilds a message published on <paramref name="topic"/>.</summary>
    object Decode(string topic, ReadOnlyMemory<byte> bytes);
}
