namespace Fenix.Bench.FenixServer;

/// <summary>
/// A presence room, written as the Phoenix guides write one: after the join reply the user (the connect param
/// <c>user</c>) is tracked with an <c>online_at</c> meta and gets <c>presence_state</c>; everyone gets <c>presence_diff</c>.
/// </summary>
public sealed class PresenceChannel(IPresence presence, TimeProvider time) : Channel
{
    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        Send(AfterJoin.Instance);
        return JoinResult.Ok();
    }

    public override async ValueTask HandleInfoAsync(object message)
    {
        if (message is not AfterJoin)
        {
            await base.HandleInfoAsync(message);
            return;
        }

        var user = Socket.Assigns.Get<string>("user");
        await presence.TrackAsync(this, user, new { online_at = time.GetUtcNow().ToUnixTimeSeconds() });
        Push(PhoenixEvents.PresenceState, await presence.ListAsync(this));
    }

    private sealed class AfterJoin
    {
        public static AfterJoin Instance { get; } = new();
    }
}
