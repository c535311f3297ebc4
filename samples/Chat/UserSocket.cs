using Fenix;
namespace Chat;

/// <summary>
/// Every connection names its user in the connect params (<c>?user=ann</c>): a non-empty string of at most
/// 64 characters, or the upgrade is refused with 403. The socket id lets the server disconnect a user's sockets.
/// </summary>
public sealed class UserSocket : FenixSocket
{
    public const int MaxUserLength = 64;

    public UserSocket() => Channel<RoomChannel>("rooms:*");

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        parameters.Get("user") is { Length: > 0 } user && CountCharacters(user) <= MaxUserLength
            ? ConnectResult.Accept(("user", user))
            : ConnectResult.Refuse();

    public override string? Id(Assigns assigns) => $"users_socket:{assigns["user"]}";

    private static int CountCharacters(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
