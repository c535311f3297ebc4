using Fenix;

namespace FenixApp;

/// <summary>
/// The <c>sample:*</c> topics. Route them in your socket: <c>Channel&lt;SampleChannel&gt;("sample:*");</c>
/// </summary>
public sealed class SampleChannel : Channel
{
    public override ValueTask<JoinResult> JoinAsync(Payload payload) =>
        IsAuthorized(payload) ? JoinResult.Ok() : JoinResult.Error(new { reason = "unauthorized" });

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        switch (@event)
        {
            // A request/response: the client's push gets this reply (`.receive("ok", ...)` in phoenix.js).
            case "ping":
                return HandleInResult.Ok(payload);

            // To everyone who joined this topic (the sender included), on every node.
            case "shout":
                Broadcast("shout", payload);
                return HandleInResult.NoReply;

            default:
                return HandleInResult.Error(new { reason = $"unknown event {@event}" });
        }
    }

    // Add your authorization logic here: the socket's assigns (Socket.Assigns) say who is joining, Topic what.
    private static bool IsAuthorized(Payload payload) => true;
}
