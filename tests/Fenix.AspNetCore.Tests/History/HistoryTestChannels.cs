namespace Fenix.AspNetCore.Tests.History;

/// <summary>Joins anything under <c>hist:*</c> (plain) and <c>histout:*</c> (intercepting "secret").</summary>
public sealed class HistorySocket : FenixSocket
{
    public HistorySocket()
    {
        Channel<PlainHistoryChannel>("hist:*");
        Channel<InterceptingHistoryChannel>("histout:*");
    }

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) => ConnectResult.Accept();
}

/// <summary>Accepts every join after a yield (the join's continuation is a step of its own under the deterministic scheduler).</summary>
public sealed class PlainHistoryChannel : Channel
{
    public override async ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        await Task.Yield();
        return payload.TryGetString("refuse", out _) ? JoinResult.Error(new { reason = "refused" }) : JoinResult.Ok(new { app = "response" });
    }
}

/// <summary>
/// Intercepts "secret": HandleOut drops those marked hidden (this recipient would not have received them live, so a
/// replay must not leak them) and pushes the others rewritten, after a yield.
/// </summary>
public sealed class InterceptingHistoryChannel : Channel
{
    public InterceptingHistoryChannel() => Intercept("secret");

    public override ValueTask<JoinResult> JoinAsync(Payload payload) => JoinResult.Ok();

    public override async ValueTask HandleOutAsync(string @event, Payload payload)
    {
        await Task.Yield();
        if (payload.Json.TryGetProperty("hidden", out var hidden) && hidden.ValueKind == System.Text.Json.JsonValueKind.True)
        {
            return;
        }

        Push(@event, new { n = payload.Json.GetProperty("n").GetInt64(), @out = true });
    }
}
