namespace Fenix.Bench.FenixServer;

/// <summary>
/// A chat room: a member's <c>msg</c> goes to every other member as it came (Phoenix's
/// <c>broadcast_from!(socket, "msg", payload)</c>), with no reply, as SignalR's fire-and-forget send.
/// </summary>
public sealed class ChatChannel : Channel
{
    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        if (@event != "msg")
        {
            return HandleInResult.Error(new { reason = "unknown event" });
        }

        BroadcastFrom("msg", payload);
        return HandleInResult.NoReply;
    }
}
