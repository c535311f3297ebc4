namespace Fenix.Protocol.Serializers;

/// <summary>
/// Turns messages into frames and frames into messages for one protocol version.
/// Implementations are stateless and safe to call from any thread.
/// </summary>
internal interface IMessageSerializer
{
    /// <summary>A short name for logs, e.g. "V2.Json".</summary>
    string Name { get; }

    /// <summary>Whether binary payloads can be carried (only V2 over WebSocket).</summary>
    bool SupportsBinary { get; }

    /// <summary>Encodes a push, <c>phx_error</c> or <c>phx_close</c> for one client.</summary>
    EncodedFrame EncodePush(Message message);

    /// <summary>Encodes a <c>phx_reply</c>.</summary>
    EncodedFrame EncodeReply(Reply reply);

    /// <summary>Encodes a broadcast with null join_ref and ref (the same bytes for every subscriber).</summary>
    EncodedFrame EncodeBroadcast(Broadcast broadcast);

    /// <summary>Decodes one inbound frame; throws <see cref="MessageDecodeException"/> for anything malformed.</summary>
    Message Decode(ReadOnlySpan<byte> frame, bool isBinary);
}
