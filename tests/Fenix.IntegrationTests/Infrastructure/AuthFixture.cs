using System.Security.Claims;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>A socket that trusts ASP.NET Core authentication: anonymous connections are refused with 401.</summary>
public sealed class AuthenticatedSocket : FenixSocket
{
    public AuthenticatedSocket()
    {
        Channel<WhoAmIChannel>("profile:*");
        Channel<WhoAmIChannel>("admin:*").RequireAuthorization("admins");
    }

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        connectInfo.User.Identity?.IsAuthenticated == true
            ? ConnectResult.Accept(("name", connectInfo.User.Identity.Name))
            : ConnectResult.Refuse(401);

    public override string? Id(Assigns assigns) => $"users:{assigns["name"]}";
}

/// <summary>Answers who the socket's user is, from the claims principal.</summary>
public sealed class WhoAmIChannel : Channel
{
    public override ValueTask<JoinResult> JoinAsync(Payload payload) =>
        JoinResult.Ok(new
        {
            name = Socket.User.Identity?.Name,
            assigned = Socket.Assigns["name"],
            roles = Socket.User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray(),
        });
}
