using Fenix.AspNetCore.Hosting;

namespace Fenix.AspNetCore.Transports.WebSockets.Direct;

/// <summary>Endpoint metadata on a socket's WebSocket endpoint: lets the direct listener find the mount behind a route.</summary>
internal sealed class DirectWebSocketRoute(SocketMount mount)
{
    public SocketMount Mount { get; } = mount;
}
