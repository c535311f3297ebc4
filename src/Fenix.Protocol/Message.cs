namespace Fenix.Protocol;

/// <summary>
/// A channel message: inbound from a client, or an outbound push from a channel to its client.
/// <see cref="JoinRef"/> and <see cref="Ref"/> are opaque strings echoed byte for byte.
/// </summary>
public sealed record Message(string? JoinRef, string? Ref, string Topic, string Event, Payload Payload);
