using Fenix.AspNetCore.Hosting;
using Fenix.Protocol.Serializers;
using Microsoft.AspNetCore.Http;

namespace Fenix.AspNetCore.Transports.WebSockets;

/// <summary>Why a WebSocket handshake is refused before the connect callback runs (each has its own HTTP answer).</summary>
internal enum HandshakeRefusal
{
    None,

    /// <summary>400 with a reason in the body: bad upgrade headers, or a connection that cannot be upgraded.</summary>
    BadRequest,

    /// <summary>403: the origin is not allowed.</summary>
    Origin,

    /// <summary>503: at the open-WebSocket limit.</summary>
    Capacity,

    /// <summary>403: none of the offered subprotocols is supported.</summary>
    Subprotocol,

    /// <summary>403: the vsn matches no serializer.</summary>
    Version,
}

/// <summary>
/// The checks of a WebSocket handshake that come before the connect callback, in the order they are answered; pure,
/// so the HTTP endpoint and the direct listener (<c>UseFenixWebSockets</c>) decide every request identically.
/// </summary>
internal readonly record struct HandshakeVerdict(
    HandshakeRefusal Refusal,
    string? Detail,
    string? Subprotocol,
    string? AuthToken,
    ConnectParams? Parameters,
    IMessageSerializer? Serializer)
{
    /// <param name="request">The handshake request.</param>
    /// <param name="mount">The socket it is for.</param>
    /// <param name="isExtendedConnect">Whether it is an HTTP/2 extended CONNECT (else an HTTP/1.1 upgrade).</param>
    /// <param name="extendedConnectProtocol">The extended CONNECT's <c>:protocol</c>.</param>
    /// <param name="canUpgrade">For an HTTP/1.1 upgrade: whether the server can upgrade this request at all (no upgrade
    /// feature, e.g. plain HTTP/2, or a request with a body: no).</param>
    /// <param name="atCapacity">Whether the open-WebSocket limit is reached (or the server refuses this upgrade).</param>
    public static HandshakeVerdict Evaluate(
        HttpRequest request, SocketMount mount, bool isExtendedConnect, string? extendedConnectProtocol, bool canUpgrade, bool atCapacity)
    {
        if (!mount.Options.CheckOrigin.IsAllowed(request))
        {
            return Refuse(HandshakeRefusal.Origin, request.Headers.Origin.ToString());
        }

        var invalid = isExtendedConnect
            ? WebSocketHandshake.ValidateExtendedConnect(request, extendedConnectProtocol)
            : WebSocketHandshake.Validate(request);
        if (invalid is not null || (!isExtendedConnect && !canUpgrade))
        {
            return Refuse(HandshakeRefusal.BadRequest, invalid ?? "the request cannot be upgraded (an HTTP/1.1 GET without a body is required)");
        }

        if (atCapacity)
        {
            return Refuse(HandshakeRefusal.Capacity, null);
        }

        if (!WebSocketHandshake.TryNegotiateSubprotocol(
            request.Headers.SecWebSocketProtocol, mount.Options.WebSocket.Subprotocols, out var subprotocol, out var authToken))
        {
            return Refuse(HandshakeRefusal.Subprotocol, null);
        }

        var parameters = ConnectParams.FromRequest(request);
        var serializer = SerializerNegotiation.Negotiate(parameters.Get("vsn"));
        return serializer is null
            ? Refuse(HandshakeRefusal.Version, parameters.Get("vsn"))
            : new HandshakeVerdict(HandshakeRefusal.None, null, subprotocol, authToken, parameters, serializer);
    }

    private static HandshakeVerdict Refuse(HandshakeRefusal refusal, string? detail) => new(refusal, detail, null, null, null, null);
}
