using System.Net;
using System.Security.Claims;

namespace Fenix.Testing;

/// <summary>Connect info for in-memory sockets.</summary>
public static class TestConnectInfo
{
    /// <param name="user">The authenticated user (anonymous by default).</param>
    /// <param name="xHeaders">The <c>x-*</c> headers of the connect request.</param>
    /// <param name="requestServices">The connect request's scoped services (<see cref="ConnectInfo.RequestServices"/>).</param>
    public static ConnectInfo Create(ClaimsPrincipal? user = null, IReadOnlyDictionary<string, string>? xHeaders = null, IServiceProvider? requestServices = null) => new()
    {
        RequestServices = requestServices,
        Transport = "test",
        PeerAddress = IPAddress.Loopback,
        Uri = new Uri("http://localhost/socket/websocket?vsn=2.0.0"),
        User = user ?? new ClaimsPrincipal(new ClaimsIdentity()),
        XHeaders = xHeaders ?? new Dictionary<string, string>(),
    };
}
