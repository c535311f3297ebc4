namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>The socket of the upstream integration fixture (protocol.md §10).</summary>
public sealed class FixtureSocket : FenixSocket
{
    public FixtureSocket()
    {
        Channel<FixtureRoomChannel>("room:*");
        Channel<FixtureCustomChannel>("custom:*");
        Channel<FixtureRoomChannel>("prefix-*");
        Channel<FixturePresenceChannel>("presence:*");
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

        return ConnectResult.Accept(("user_id", parameters.Get("user_id")), ("connect_info", connectInfo), ("params", parameters));
    }

    public override string? Id(Assigns assigns) => assigns["user_id"] is string id ? $"user_sockets:{id}" : null;
}

/// <summary>Records channel terminations so tests can see them.</summary>
public sealed class TerminationLog
{
    private readonly List<(string Topic, string Reason)> _entries = [];

    public void Add(string topic, string reason)
    {
        lock (_entries)
        {
            _entries.Add((topic, reason));
        }
    }

    public async Task<string?> WaitForAsync(string topic, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_entries)
            {
                foreach (var (t, reason) in _entries)
                {
                    if (t == topic)
                    {
                        return reason;
                    }
                }
            }

            await Task.Delay(10);
        }

        return null;
    }
}

/// <summary>
/// The upstream fixture's RoomChannel: join ok, then broadcasts <c>user_entered</c> and pushes <c>joined</c>;
/// intercepts <c>new_msg</c> and re-pushes it with the transport; <c>boom</c> raises; <c>binary_event</c> echoes bytes.
/// </summary>
public sealed class FixtureRoomChannel : Channel
{
    private readonly TerminationLog _terminations;

    public FixtureRoomChannel(TerminationLog terminations)
    {
        _terminations = terminations;
        Intercept("new_msg");
    }

    public override ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        Send(payload.TryGetString("user", out var user) ? user : (object)false);
        return JoinResult.Ok();
    }

    public override ValueTask HandleInfoAsync(object message)
    {
        Broadcast("user_entered", new { user = message is string user ? user : null });
        var info = Socket.Assigns["connect_info"] as ConnectInfo;
        Push("joined", new
        {
            status = "connected",
            user_id = Socket.Assigns["user_id"],
            @params = Socket.Assigns["params"],
            connect_info = info is null ? null : new
            {
                x_headers = info.XHeaders,
                trace_context_headers = info.TraceContextHeaders,
                sec_websocket_headers = info.SecWebSocketHeaders,
                user_agent = info.UserAgent,
                peer_address = info.PeerAddress?.ToString(),
                peer_port = info.PeerPort,
                uri = new { scheme = info.Uri.Scheme, host = info.Uri.Host, port = info.Uri.Port, path = info.Uri.AbsolutePath, query = info.Uri.Query.TrimStart('?') },
                http_protocol = info.HttpProtocol,
                auth_token = info.AuthToken,
            },
        });
        return ValueTask.CompletedTask;
    }

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        switch (@event)
        {
            case "new_msg":
                Broadcast("new_msg", payload);
                return HandleInResult.Ok();
            case "boom":
                throw new InvalidOperationException("boom");
            case "binary_event":
                Push("binary_event", new byte[] { 0, 1 });
                return HandleInResult.Ok(Payload.Binary((byte[])[.. payload.Bytes.ToArray(), 3, 4]));
            case "ping":
                return HandleInResult.Ok(payload);
            case "slow":
                return SlowAsync(payload);
            default:
                return HandleInResult.NoReply;
        }
    }

    public override ValueTask HandleOutAsync(string @event, Payload payload)
    {
        payload.TryGetString("body", out var body);
        Push(@event, new { body, transport = Socket.Transport });
        return ValueTask.CompletedTask;
    }

    public override ValueTask TerminateAsync(TerminateReason reason)
    {
        _terminations.Add(Topic, reason.Name);
        Push("you_left", new { message = "bye!" });
        return ValueTask.CompletedTask;
    }

    private static async ValueTask<HandleInResult> SlowAsync(Payload payload)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(payload.Json.GetProperty("ms").GetInt32()));
        return HandleInResult.Ok();
    }
}

/// <summary>The upstream fixture's custom channel: join outcome by topic; <c>close</c> stops normally.</summary>
public sealed class FixtureCustomChannel : Channel
{
    public override ValueTask<JoinResult> JoinAsync(Payload payload) =>
        payload.TryGetString("action", out var action) ? action switch
        {
            "ignore" => JoinResult.Error(new { action = "ignore" }),
            "error" => throw new InvalidOperationException("join raised"),
            _ => JoinResult.Ok(new { action = "ok" }),
        }
        : JoinResult.Ok(new { action = "ok" });

    public override ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload) =>
        @event == "close" ? HandleInResult.Stop(TerminateReason.Shutdown) : HandleInResult.NoReply;
}
