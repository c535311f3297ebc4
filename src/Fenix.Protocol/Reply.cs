namespace Fenix.Protocol;

/// <summary>A reply to the client message with <see cref="Ref"/>; on the wire an event <c>phx_reply</c>
/// whose payload is <c>{"status": Status, "response": Response}</c>.</summary>
internal sealed record Reply(string? JoinRef, string? Ref, string Topic, string Status, Payload Response);
