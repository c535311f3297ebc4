namespace Fenix.Protocol;

/// <summary>A reply to the client message with <see cref="Ref"/>; on the wire an event <c>phx_reply</c>
/// whose payload is <c>{"status": Status, "response": Response}</c>.</summary>
internal sealed record Reply(string? JoinRef, string? Ref, string Topic, string Status, Payload Response)
{
    /// <summary>
    /// Fenix's history extension of a join reply (docs/history.md): a JSON object written as the member <c>"history"</c>
    /// of the reply payload, beside <c>status</c> and <c>response</c>, so the application's response stays untouched.
    /// Null (nothing written) for every other reply; not carried by binary replies.
    /// </summary>
    public Payload? History { get; init; }
}
