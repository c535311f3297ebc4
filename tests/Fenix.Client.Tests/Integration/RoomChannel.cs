using ServerChannel = Fenix.Channel;

namespace Fenix.Client.Tests.Integration;

/// <summary>
/// A channel with one event per behaviour under test: echo (JSON or binary), broadcasts, a server push, a crash, and
/// an event it never answers. A join with <c>{"refuse":true}</c> is refused.
/// </summary>
internal sealed class RoomChannel(ServerProbe probe) : ServerChannel
{
    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        probe.Joined();
        return payload.IsJsonObject && payload.Json.TryGetProperty("refuse", out _)
            ? JoinResult.Error(new { reason = "unauthorized" })
            : JoinResult.Ok(new { topic = Topic, user = Socket.Assigns.Get<string>("user") });
    }

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        switch (@event)
        {
            case "echo":
                probe.Echoes.Enqueue(payload.ToString());
                return HandleInResult.Ok(payload);
            case "binary_echo":
                // Reply with the bytes reversed so that a byte-exact comparison proves the round trip.
                var bytes = payload.Bytes.ToArray();
                Array.Reverse(bytes);
                return HandleInResult.Ok(bytes);
            case "binary_info":
                // Answered in JSON: long poll cannot carry binary from server to client.
                return HandleInResult.Ok(new { binary = payload.IsBinary, hex = Convert.ToHexString(payload.Bytes.Span) });
            case "shout":
                Broadcast("shout", payload);
                return HandleInResult.Ok();
            case "push_back":
                Push("pushed", payload);
                Push("pushed_binary", new byte[] { 0, 1, 2, 254, 255 });
                return HandleInResult.Ok();
            case "crash":
                throw new InvalidOperationException("crash requested by the test");
            case "whoami":
                return HandleInResult.Ok(new { auth_token = Socket.ConnectInfo.AuthToken });
            case "silent":
                return HandleInResult.NoReply;
            default:
                return HandleInResult.Error(new { reason = "unknown event" });
        }
    }
}
