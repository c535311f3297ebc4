using Fenix.AspNetCore.Channels;
using Fenix.Protocol;

namespace Chat;

/// <summary>
/// The chat room. Only <c>rooms:lobby</c> may be joined; messages are broadcast with the sender's name.
/// </summary>
public sealed class RoomChannel : Channel
{
    public const string Lobby = "rooms:lobby";

    public override ValueTask<JoinResult> JoinAsync(string topic, Payload payload, ChannelSocket socket) =>
        topic == Lobby ? JoinResult.Ok(new { }) : JoinResult.Error(new { reason = "unauthorized" });

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload, ChannelSocket socket)
    {
        var user = socket.Assigns.Get<string>("user");
        switch (@event)
        {
            case "new_msg" when payload.TryGetString("body", out var body):
                Broadcast("new_msg", new { body, user });
                return HandleInResult.NoReply;
            case "shout" when payload.TryGetString("body", out var body):
                BroadcastFrom("shout", new { body, user });
                return HandleInResult.NoReply;
            case "new_msg" or "shout":
                return HandleInResult.Error(new { reason = "invalid body" });
            case "ping":
                return HandleInResult.Ok(payload);
            default:
                return HandleInResult.Error(new { reason = "unknown event" });
        }
    }
}
