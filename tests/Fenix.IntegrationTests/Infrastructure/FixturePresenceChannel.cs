namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// A presence room for the JS Presence tests: tracks the join's <c>name</c> with <c>{"status":"online"}</c> after the
/// join reply, pushes presence_state; <c>status {status}</c> updates the meta; <c>boom</c> crashes the channel.
/// </summary>
public sealed class FixturePresenceChannel(IPresence presence) : Channel
{
    private string _name = "";

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        _name = payload.TryGetString("name", out var name) ? name : "anonymous";
        Send(this);
        return JoinResult.Ok();
    }

    public override async ValueTask HandleInfoAsync(object message)
    {
        await presence.TrackAsync(this, _name, new { status = "online" });
        Push(PhoenixEvents.PresenceState, await presence.ListAsync(this));
    }

    public override async ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        switch (@event)
        {
            case "status" when payload.TryGetString("status", out var status):
                await presence.UpdateAsync(this, _name, new { status });
                return HandleInResult.Ok();
            case "boom":
                throw new InvalidOperationException("boom");
            default:
                return HandleInResult.Error(new { reason = "unknown event" });
        }
    }
}
