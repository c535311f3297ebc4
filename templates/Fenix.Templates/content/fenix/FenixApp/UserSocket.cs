using System.Diagnostics.CodeAnalysis;
using Fenix;

namespace FenixApp;

/// <summary>
/// Who is connecting: the page sends the token it got from <c>POST /api/token</c> as the <c>token</c> param
/// (<c>new Socket("/socket", {params: {token}})</c>); a valid one identifies the user for every channel.
/// </summary>
public sealed class UserSocket : FenixSocket
{
    /// <summary>Binds tokens to this use: a token signed for something else does not verify here.</summary>
    public const string TokenSalt = "user socket";

    public const int MaxNameLength = 32;

    private static readonly TimeSpan TokenMaxAge = TimeSpan.FromDays(1);

    private readonly FenixToken _tokens;

    public UserSocket(FenixToken tokens)
    {
        _tokens = tokens;
        Channel<RoomChannel>("room:*");
    }

    public static bool IsValidName([NotNullWhen(true)] string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.Trim().Length <= MaxNameLength;

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo info)
    {
        var verified = _tokens.Verify<string>(TokenSalt, parameters.Get("token"), TokenMaxAge);
        return verified.IsValid && IsValidName(verified.Data)
            ? ConnectResult.Accept(("user", verified.Data))
            : ConnectResult.Refuse();
    }

    /// <summary>Names this user's connections, so that <c>IFenixBroadcaster.Disconnect("user_socket:ann")</c> closes them all.</summary>
    public override string? Id(Assigns assigns) => $"user_socket:{assigns["user"]}";
}
