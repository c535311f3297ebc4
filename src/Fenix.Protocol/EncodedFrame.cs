namespace Fenix.Protocol;

/// <summary>One serialized frame, ready for a transport: text (UTF-8 JSON) or binary.</summary>
internal readonly record struct EncodedFrame(ReadOnlyMemory<byte> Data, bool IsBinary);
