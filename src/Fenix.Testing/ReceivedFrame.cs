using Fenix.Protocol;

namespace Fenix.Testing;

/// <summary>A frame the server sent to a test socket. Replies carry their status and response; pushes and broadcasts their payload.</summary>
public sealed record ReceivedFrame(string? JoinRef, string? Ref, string Topic, string Event, Payload Payload, string? Status)
{
    public bool IsReply => Event == PhoenixEvents.Reply;

    /// <summary>A broadcast on the wire: no join_ref and no ref.</summary>
    public bool IsBroadcast => JoinRef is null && Ref is null && !IsReply;

    internal static ReceivedFrame From(Message message, string? binaryStatus)
    {
        if (message.Event != PhoenixEvents.Reply || binaryStatus is not null)
        {
            return new(message.JoinRef, message.Ref, message.Topic, message.Event, message.Payload, binaryStatus);
        }

        // JSON replies wrap their response: {"status": S, "response": R}.
        var json = message.Payload.Json;
        var status = json.GetProperty("status").GetString();
        var response = Payload.FromJson(json.GetProperty("response"));
        return new(message.JoinRef, message.Ref, message.Topic, message.Event, response, status);
    }

    public override string ToString() =>
        IsReply ? $"reply {Status} ref={Ref} topic={Topic} {Payload}" : $"{Event} join_ref={JoinRef} topic={Topic} {Payload}";
}
