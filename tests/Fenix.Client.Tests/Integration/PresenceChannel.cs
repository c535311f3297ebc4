using ServerChannel = Fenix.Channel;

namespace Fenix.Client.Tests.Integration;

/// <summary>
/// Plays the presence system by hand with the payloads of protocol.md §7.2: the state is pushed after the join, and
/// the client asks for diffs to be broadcast.
/// </summary>
internal sealed class PresenceChannel : ServerChannel
{
    public const string State = """
        {"alice": {"metas":[{"online_at":"1700000000","phx_ref":"F8Qz1k6v2w8AAABi"}]},
         "bob":   {"metas":[{"device":"phone","phx_ref":"F8Qz2Aaa9w8AAAAT"},
                            {"device":"laptop","phx_ref":"F8Qz2Bbb9w8AAAAU","phx_ref_prev":"F8Qz1zzz9w8AAAAS"}]}}
        """;

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        Push(PhoenixEvents.PresenceState, Payload.ParseUtf8Json(System.Text.Encoding.UTF8.GetBytes(State)));
        return JoinResult.Ok();
    }

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        Broadcast(PhoenixEvents.PresenceDiff, payload);
        return HandleInResult.Ok();
    }
}
