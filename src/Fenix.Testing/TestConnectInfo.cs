using System.Net;
using System.Security.Claims;

namespace Fenix.Testing;

/// <summary>Connect info for in-memory sockets.</summary>
public static class TestConnectInfo
{
    public static ConnectInfo Create(ClaimsPrincipal? user = null, IReadOnlyDictionary<string, string>? xHeaders = null) => new()
    {
        Transport = "test",
        PeerAddress = IPAddress.Loopback,
        Uri = new Uri("http://localhost/socket/websocket?vsn=2.0.0"),
        User = user ?? new ClaimsPrincipal(new ClaimsIdentity()),
        XHeaders = xHeaders ?? new Dictionary<string, string>(),
    };
}
