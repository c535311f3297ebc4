using System.Buffers;
using System.Text;

namespace Fenix.PubSub.Specification;

/// <summary>The message the conformance suite sends: a text (UTF-8 on the wire) under codec <see cref="CodecName"/>.</summary>
public sealed record ConformanceMessage(string Text) : IPubSubMessage
{
    public const string CodecName = "fenix.conformance";

    public string Codec => CodecName;

    public void Encode(IBufferWriter<byte> output)
    {
        var length = Encoding.UTF8.GetByteCount(Text);
        Encoding.UTF8.GetBytes(Text, output.GetSpan(length));
        output.Advance(length);
    }
}

/// <summary>Rebuilds <see cref="ConformanceMessage"/>s on the receiving node.</summary>
public sealed class ConformanceMessageDecoder : IPubSubMessageDecoder
{
    public string Codec => ConformanceMessage.CodecName;

    public object Decode(string topic, ReadOnlyMemory<byte> bytes) => new ConformanceMessage(Encoding.UTF8.GetString(bytes.Span));
}

/// <summary>A message under a codec that no node registers a decoder for.</summary>
public sealed record UndecodableMessage(string Text) : IPubSubMessage
{
    public string Codec => "fenix.conformance.unknown";

    public void Encode(IBufferWriter<byte> output)
    {
        var length = Encoding.UTF8.GetByteCount(Text);
        Encoding.UTF8.GetBytes(Text, output.GetSpan(length));
        output.Advance(length);
    }
}

/// <summary>A message whose encoding fails (it breaks its contract); adapters must not let that escape.</summary>
public sealed record FaultyMessage : IPubSubMessage
{
    public string Codec => ConformanceMessage.CodecName;

    public void Encode(IBufferWriter<byte> output) => throw new InvalidOperationException("This message cannot be encoded.");
}
