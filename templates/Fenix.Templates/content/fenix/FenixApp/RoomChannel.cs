using Fenix;

namespace FenixApp;

/// <summary>
/// A chat room per topic (<c>room:lobby</c>, <c>room:42</c>): messages are broadcast to everyone in the room,
/// <c>ping</c> is answered with what it carried, and Presence shows who is in the room.
/// </summary>
public sealed class RoomChannel(IPresence presence) : Channel
{
    public const int MaxMessageLength = 2000;

    private string User => (string)Socket.Assigns["user"]!;

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        // Track after the join reply went out, so that the client's Presence sees the state after joining.
        Send(new AfterJoin());
        return JoinResult.Ok(new { user = User });
    }

    public override async ValueTask HandleInfoAsync(object message)
    {
        if (message is AfterJoin)
        {
            await presence.TrackAsync(this, User, new { online_at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
            Push("presence_state", await presence.ListAsync(this));
        }
    }

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        switch (@event)
        {
            case "new_msg" when payload.TryGetString("body", out var body) && body.Trim().Length is > 0 and <= MaxMessageLength:
                Broadcast("new_msg", new { user = User, body = body.Trim() });
                return HandleInResult.NoReply;
            case "new_msg":
                return HandleInResult.Error(new { reason = $"a body of 1 to {MaxMessageLength} characters, please" });
            case "ping":
                return HandleInResult.Ok(payload);
            default:
                return HandleInResult.Error(new { reason = $"unknown event {@event}" });
        }
    }

    private sealed record AfterJoin;
}
