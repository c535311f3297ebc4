using System.Globalization;
using Fenix;

namespace Demo.Dispatch;

/// <summary>
/// A hero on <c>notifications:lobby</c>. After joining, the hero is tracked (key = hero name, meta
/// <c>{online_at, user_name}</c>) and pushed <c>user_info {user_name, hero_token}</c> and <c>presence_state</c>. Client events:
/// <c>notify_all {body}</c> (everyone), <c>notify_others {body}</c> (everyone else), <c>notify_direct {recipient, body}</c>
/// (one present hero). Everything arrives as a <c>notification</c> event.
/// <para>
/// Direct notifications do not go through presence: each hero's channel subscribes to its own topic
/// <c>notifications:&lt;name&gt;</c> and relays what is broadcast there, so anything on the server (the
/// <see cref="DispatchPager"/>, another channel) reaches one hero with a plain broadcast.
/// </para>
/// </summary>
public sealed class NotificationChannel(IPresence presence, IFenixBroadcaster broadcaster, FenixToken tokens, TimeProvider time) : Channel
{
    private string _hero = "";

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        if (Topic != DispatchTopics.Lobby)
        {
            return JoinResult.Error(new { reason = "unauthorized" });
        }

        _hero = Socket.Assigns.Get<string>("hero");
        Send(AfterJoin.Instance);
        return JoinResult.Ok(new { user_name = _hero });
    }

    public override async ValueTask HandleInfoAsync(object message)
    {
        switch (message)
        {
            case AfterJoin:
                // Subscribe before tracking: whoever sees this hero present can already reach it.
                Subscribe(DispatchTopics.Hero(_hero));
                var onlineAt = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                await presence.TrackAsync(this, _hero, new Dictionary<string, string> { ["online_at"] = onlineAt, ["user_name"] = _hero });
                // The token lets this page keep its name when it reconnects (DispatchSocket verifies it).
                Push("user_info", new { user_name = _hero, hero_token = tokens.Sign(DispatchSocket.TokenPurpose, _hero) });
                Push(PhoenixEvents.PresenceState, await presence.ListAsync(this));
                break;
            case Broadcast direct when direct.Topic == DispatchTopics.Hero(_hero):
                Push(direct.Event, direct.Payload);
                break;
            default:
                await base.HandleInfoAsync(message);
                break;
        }
    }

    public override async ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        if (@event is not ("notify_all" or "notify_others" or "notify_direct"))
        {
            return HandleInResult.Error(new { reason = "unknown event" });
        }

        if (!payload.TryGetString("body", out var body) || (body = body.Trim()).Length is 0 or > Notification.MaxBody)
        {
            return HandleInResult.Error(new { reason = $"invalid body: 1 to {Notification.MaxBody} characters" });
        }

        switch (@event)
        {
            case "notify_all":
                Broadcast(Notification.Event, Notification.Create("all", _hero, body, time));
                return HandleInResult.Ok();
            case "notify_others":
                BroadcastFrom(Notification.Event, Notification.Create("others", _hero, body, time));
                return HandleInResult.Ok();
            default:
                if (!payload.TryGetString("recipient", out var recipient) || await presence.GetByKeyAsync(DispatchTopics.Lobby, recipient) is null)
                {
                    return HandleInResult.Error(new { reason = "hero not present" });
                }

                broadcaster.Broadcast(DispatchTopics.Hero(recipient), Notification.Event, Notification.Create("direct", _hero, body, time));
                return HandleInResult.Ok(new { recipient });
        }
    }

    private sealed class AfterJoin
    {
        public static AfterJoin Instance { get; } = new();
    }
}
