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
/// With a <see cref="ModelProbe"/> registered (the interleaving tests) it counts its life and yields inside callbacks.
/// </summary>
public sealed class ModelChannel(IPresence? presence = null, ModelProbe? probe = null, ModelScope? scope = null) : Channel
{
    private bool _terminated;

    public override async ValueTask<JoinResult> JoinAsync(Payload payload)
    {
        probe?.Created();
        GC.KeepAlive(scope);
        await YieldAsync();
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
        await YieldAsync();
        if (presence is not null)
        {
            await presence.TrackAsync(this, Socket.Assigns["id"] as string ?? "anonymous", new { });
        }

        return JoinResult.Ok(new { joined = true });
    }

    public override async ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload)
    {
        var n = payload.Json.GetProperty("n").GetInt32();
        await YieldAsync();
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

    public override async ValueTask TerminateAsync(TerminateReason reason)
    {
        if (_terminated)
        {
            probe?.Violation($"{Topic}: TerminateAsync ran twice");
        }

        _terminated = true;
        probe?.Terminated(scope);
        await YieldAsync();
        Push("terminated", new { reason = reason.Name });
    }

    private async ValueTask YieldAsync()
    {
        if (probe is { YieldInCallbacks: true })
        {
            await Task.Yield(); // an interleaving point for the deterministic scheduler
        }
    }
}

/// <summary>What the interleaving tests learn from model channels: instances created, scopes open, broken rules.</summary>
public sealed class ModelProbe
{
    private int _created;
    private int _scopesOpen;

    public bool YieldInCallbacks { get; set; }

    public int CreatedCount => Volatile.Read(ref _created);

    public int ScopesOpen => Volatile.Read(ref _scopesOpen);

    public List<string> Violations { get; } = [];

    public void Created() => Interlocked.Increment(ref _created);

    public void Terminated(ModelScope? scope)
    {
        if (scope is { IsDisposed: true })
        {
            Violation("the channel's scope was disposed before its TerminateAsync");
        }
    }

    public void ScopeOpened() => Interlocked.Increment(ref _scopesOpen);

    public void ScopeClosed() => Interlocked.Decrement(ref _scopesOpen);

    public void Violation(string what)
    {
        lock (Violations)
        {
            Violations.Add(what);
        }
    }
}

/// <summary>A scoped service of each model channel: counts the channel scopes that are open.</summary>
public sealed class ModelScope : IDisposable
{
    private readonly ModelProbe _probe;

    public ModelScope(ModelProbe probe)
    {
        _probe = probe;
        probe.ScopeOpened();
    }

    public bool IsDisposed { get; private set; }

    public void Dispose()
    {
        if (!IsDisposed)
        {
            IsDisposed = true;
            _probe.ScopeClosed();
        }
    }
}
