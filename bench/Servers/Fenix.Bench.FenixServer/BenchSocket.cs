namespace Fenix.Bench.FenixServer;

/// <summary>Accepts every connection (the bench measures the transport and channels, not authentication).</summary>
public sealed class BenchSocket : FenixSocket
{
    public BenchSocket()
    {
        Channel<TopicChannel>("idle:*");
        Channel<TopicChannel>("fanout:*");
        Channel<ChatChannel>("chat:*");
        Channel<PresenceChannel>("presence:*");
    }

    /// <summary>Only presence clients name a user; the others get no assigns, as a minimal app would.</summary>
    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        ValueTask.FromResult(parameters.Get("user") is { Length: > 0 } user ? ConnectResult.Accept(("user", user)) : ConnectResult.Accept());

    public override string? Id(Assigns assigns) => null;
}
