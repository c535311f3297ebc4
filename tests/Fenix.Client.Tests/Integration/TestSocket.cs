namespace Fenix.Client.Tests.Integration;

/// <summary>Accepts every connection except <c>?reject=true</c>; the <c>user</c> param becomes an assign.</summary>
public sealed class TestSocket : FenixSocket
{
    public TestSocket()
    {
        Channel<RoomChannel>("room:*");
        Channel<RoomChannel>("history:*");
        Channel<PresenceChannel>("presence:*");
    }

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        parameters.Get("reject") == "true"
            ? ConnectResult.Refuse()
            : ConnectResult.Accept(("user", parameters.Get("user") ?? "anonymous"));
}
