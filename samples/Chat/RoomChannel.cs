using System.Globalization;
using Fenix;

namespace Chat;

/// <summary>
/// The chat room. Only <c>rooms:lobby</c> may be joined; messages are broadcast with the sender's name.
/// After joining, the user is tracked in the room's presence (key = user, meta = <c>{"online_at": "&lt;unix seconds&gt;"}</c>)
/// and the channel pushes <c>presence_state</c>; joins and leaves reach everyone as <c>presence_diff</c>.
/// </summary>
public sealed class RoomChannel(IPresence presence, TimeProvider time) : Channel
{
    public const string Lobby = "rooms:lobby";

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        if (Topic != Lobby)
        {
            return JoinResult.Error(new { reason = "unauthorized" });
        }

        // Track after the join reply, as Phoenix apps do with send(self(), :after_join).
        Send(AfterJoin.Instance);
        return JoinResult.Ok(new { });
    }

    public override async ValueTask HandleInfoAsync(object message)
    {
        if (message is not AfterJoin)
        {
            await base.HandleInfoAsync(message);
            return;
        }

        var user = Socket.Assigns.Get<string>("user");
        var onlineAt = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await presence.TrackAsync(this, user, new Dictionary<string, string> { ["online_at"] = onlineAt });
        Push(PhoenixEvents.PresenceState, await presence.ListAsync(this));
    }

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        var user = Socket.Assigns.Get<string>("user");
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

    private sealed class AfterJoin
    {
        public static AfterJoin Instance { get; } = new();
    }
}
