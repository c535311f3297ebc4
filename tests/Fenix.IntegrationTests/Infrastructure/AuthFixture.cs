using System.Security.Claims;
using Fenix.AspNetCore.Channels;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;

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
    public override ValueTask<JoinResult> JoinAsync(string topic, Payload payload, ChannelSocket socket) =>
        JoinResult.Ok(new
        {
            name = socket.User.Identity?.Name,
            assigned = socket.Assigns["name"],
            roles = socket.User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray(),
        });
}
