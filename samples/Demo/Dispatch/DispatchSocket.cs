using Fenix;
namespace Demo.Dispatch;

/// <summary>
/// The Dispatch socket (<c>/dispatch/socket</c>): every connection is given a new hero name (no params needed) and
/// may join <c>notifications:lobby</c>.
/// </summary>
public sealed class DispatchSocket : FenixSocket
{
    private readonly HeroNames _names;

    public DispatchSocket(HeroNames names)
    {
        _names = names;
        Channel<NotificationChannel>("notifications:*");
    }

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        ConnectResult.Accept(("hero", _names.Next()));

    public override string? Id(Assigns assigns) => $"heroes_socket:{assigns["hero"]}";
}
