using System.Collections.Concurrent;

namespace Fenix.AspNetCore.Tests.Channels;

/// <summary>Records what channels did, for assertions on callbacks that leave no frame (terminate).</summary>
public sealed class ChannelProbe
{
    public ConcurrentQueue<string> Events { get; } = new();

    public TaskCompletionSource<TerminateReason> Terminated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed class TestUserSocket : FenixSocket
{
    public TestUserSocket()
    {
        Channel<RoomChannel>("room:*");
        Channel<CustomChannel>("custom:*");
        Channel<AdminChannel>("admin:*").RequireAuthorization("admins");
        Channel<RoomChannel>("static:*").Assign("flavor", "static");
    }

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo)
    {
        if (parameters.Get("reject") == "true")
        {
            return ConnectResult.Refuse();
        }

        if (parameters.Get("ratelimit") == "true")
        {
            return ConnectResult.Refuse(429);
        }

        return ConnectResult.Accept(("user_id", parameters.Get("user_id")));
    }

    public override string? Id(Assigns assigns) => assigns["user_id"] is string id ? $"user_sockets:{id}" : null;
}

/// <summary>The upstream fixture's room: after join broadcasts user_entered and pushes joined; intercepts new_msg.</summary>
public sealed class RoomChannel : Channel
{
    private readonly ChannelProbe _probe;

    public RoomChannel(ChannelProbe probe)
    {
        _probe = probe;
        Intercept("new_msg");
    }

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        payload.TryGetString("user", out var user);
        Send(new AfterJoin(user));
        return JoinResult.Ok();
    }

    public override ValueTask HandleInfoAsync(object message)
    {
        switch (message)
        {
            case AfterJoin after:
                Broadcast("user_entered", new { user = after.User });
                Push("joined", new { status = "connected", user_id = Socket.Assigns["user_id"] });
                break;
            case Broadcast broadcast:
                Push("relayed", new { topic = broadcast.Topic, @event = broadcast.Event });
                break;
            case string text:
                Push("info", new { text });
                break;
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        _probe.Events.Enqueue($"in:{@event}");
        switch (@event)
        {
            case "new_msg":
                Broadcast("new_msg", payload);
                return HandleInResult.Ok();
            case "shout":
                BroadcastFrom("shout", payload);
                return HandleInResult.NoReply;
            case "boom":
                throw new InvalidOperationException("boom");
            case "stop":
                return HandleInResult.Stop(TerminateReason.Shutdown, ReplyStatus.Ok, new { bye = true });
            case "stop_error":
                return HandleInResult.Stop(TerminateReason.Error("custom_error"));
            case "later":
                var reply = Socket.CaptureReply();
                _ = Task.Run(async () =>
                {
                    await Task.Delay(20);
                    reply.Ok(new { late = true });
                });
                return HandleInResult.NoReply;
            case "info_after":
                SendAfter("tick", TimeSpan.FromMilliseconds(30));
                return HandleInResult.NoReply;
            case "assign":
                Socket.Assigns["mine"] = payload.Json.GetProperty("value").GetString();
                return HandleInResult.Ok(new { value = Socket.Assigns["mine"] });
            case "read_assigns":
                return HandleInResult.Ok(new { mine = Socket.Assigns["mine"], flavor = Socket.Assigns["flavor"], user_id = Socket.Assigns["user_id"] });
            case "subscribe":
                Subscribe(payload.Json.GetProperty("topic").GetString()!);
                return HandleInResult.Ok();
            case "binary":
                Push("binary_event", new byte[] { 0, 1 });
                return HandleInResult.Ok(Payload.Binary((byte[])[.. payload.Bytes.ToArray(), 3, 4]));
            case "noreply":
                return HandleInResult.NoReply;
            default:
                return HandleInResult.Error(new { reason = "unknown" });
        }
    }

    public override ValueTask HandleOutAsync(string @event, Payload payload)
    {
        var body = payload.TryGetString("body", out var text) ? text : null;
        if (body != "filtered")
        {
            Push(@event, new { body, transport = Socket.Transport });
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask TerminateAsync(TerminateReason reason)
    {
        _probe.Events.Enqueue($"terminate:{reason.Name}");
        _probe.Terminated.TrySetResult(reason);
        Push("you_left", new { message = "bye!" });
        return ValueTask.CompletedTask;
    }

    private sealed record AfterJoin(string? User);
}

/// <summary>The upstream fixture's custom channel: join outcomes chosen by the topic.</summary>
public sealed class CustomChannel : Channel
{
    public override ValueTask<JoinResult> JoinAsync(Payload payload) => Topic switch
    {
        "custom:ignore" => JoinResult.Error(new { action = "ignore" }),
        "custom:error" => throw new InvalidOperationException("join failed"),
        "custom:push_in_join" => JoinInline(),
        _ => JoinResult.Ok(new { action = "ok" }),
    };

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload) =>
        @event == "close" ? HandleInResult.Stop(TerminateReason.Shutdown) : HandleInResult.NoReply;

    private JoinResult JoinInline()
    {
        Push("early", new { pushed = "during join" });
        return JoinResult.Ok();
    }
}

public sealed class AdminChannel : Channel
{
}
