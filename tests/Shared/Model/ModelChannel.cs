namespace Fenix.Tests.Model;

/// <summary>The socket of the model test: <c>model:*</c> topics; the <c>id</c> parameter names the socket (for disconnects).</summary>
public sealed class ModelSocket : FenixSocket
{
    public ModelSocket() => Channel<ModelChannel>("model:*");

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        ConnectResult.Accept(("id", parameters.Get("id")));

    public override string? Id(Assigns assigns) => assigns["id"] is string id ? $"model_sockets:{id}" : null;
}

/// <summary>
/// A channel whose every answer is a function of the frames it gets (what <see cref="PhoenixModel"/> predicts): it pushes
/// "welcome" from its join, tracks a presence when presence is registered, and pushes "terminated" from terminate.
/// </summary>
public sealed class ModelChannel(IPresence? presence = null) : Channel
{
    public override async ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        payload.TryGetString("outcome", out var outcome);
        switch (outcome)
        {
            case "refuse":
                Push("ignored", new { because = "refused joins never speak" });
                return JoinResult.Error(new { reason = "refused" });
            case "crash":
                throw new InvalidOperationException("the model channel crashes in its join");
        }

        Push("welcome", new { topic = Topic });
        if (presence is not null)
        {
            await presence.TrackAsync(this, Socket.Assigns["id"] as string ?? "anonymous", new { });
        }

        return JoinResult.Ok(new { joined = true });
    }

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        var n = payload.Json.GetProperty("n").GetInt32();
        switch (@event)
        {
            case "echo":
                return HandleInResult.Ok(new { n });
            case "push":
                Push("pushed", new { n });
                return HandleInResult.NoReply;
            case "boom":
                throw new InvalidOperationException("the model channel crashes");
            case "stop":
                return HandleInResult.Stop(TerminateReason.Shutdown, ReplyStatus.Ok, new { n });
            case "bcast":
                Broadcast("shout", new { n });
                return HandleInResult.Ok(new { n });
            default:
                return HandleInResult.NoReply;
        }
    }

    public override ValueTask TerminateAsync(TerminateReason reason)
    {
        Push("terminated", new { reason = reason.Name });
        return ValueTask.CompletedTask;
    }
}
