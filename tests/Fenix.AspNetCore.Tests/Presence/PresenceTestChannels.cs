namespace Fenix.AspNetCore.Tests.Presence;

public sealed class PresenceTestSocket : FenixSocket
{
    public PresenceTestSocket() => Channel<PresenceRoomChannel>("presence:*");
}

/// <summary>A room in the Phoenix style: after join it tracks the user and pushes presence_state.</summary>
public sealed class PresenceRoomChannel(IPresence presence) : Channel
{
    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        payload.TryGetString("user", out var user);
        Send(new AfterJoin(user));
        return JoinResult.Ok();
    }

    public override async ValueTask HandleInfoAsync(object message)
    {
        if (message is AfterJoin after)
        {
            Socket.Assigns["user"] = after.User;
            await presence.TrackAsync(this, after.User, new Dictionary<string, string> { ["online_at"] = "1700000000" });
            Push(PhoenixEvents.PresenceState, await presence.ListAsync(this));
        }
    }

    public override async ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        var user = Socket.Assigns.Get<string>("user")!;
        switch (@event)
        {
            case "status" when payload.TryGetString("status", out var status):
                var phxRef = await presence.UpdateAsync(this, user, new { online_at = "1700000000", status });
                return HandleInResult.Ok(new { phx_ref = phxRef });
            case "untrack":
                await presence.UntrackAsync(this, user);
                return HandleInResult.Ok();
            case "track_again":
                try
                {
                    await presence.TrackAsync(this, user, new { });
                    return HandleInResult.Ok();
                }
                catch (PresenceAlreadyTrackedException e)
                {
                    return HandleInResult.Error(new { reason = "already_tracked", message = e.Message });
                }

            case "crash":
                throw new InvalidOperationException("boom");
            default:
                return HandleInResult.Error(new { reason = "unknown event" });
        }
    }

    private sealed record AfterJoin(string User);
}

/// <summary>Adds the upper-cased key as "user" next to the metas.</summary>
public sealed class NameFetcher : IPresenceFetcher
{
    public ValueTask FetchAsync(string topic, PresenceMap presences, CancellationToken cancellationToken)
    {
        foreach (var (key, entry) in presences)
        {
            entry.SetExtra("user", new { name = key.ToUpperInvariant() });
        }

        return ValueTask.CompletedTask;
    }
}
