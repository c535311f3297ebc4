namespace Fenix.Protocol;

/// <summary>An inbound frame that no serializer can turn into a <see cref="Message"/>.</summary>
public sealed class MessageDecodeException(string message, Exception? inner = null) : Exception(message, inner);
