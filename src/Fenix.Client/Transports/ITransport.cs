using Fenix.Protocol;

namespace Fenix.Client.Transports;

/// <summary>
/// One connection attempt over one transport. It reports through <see cref="ITransportEvents"/>: at most one
/// open, then messages, then errors and exactly one close. No member throws or blocks the caller.
/// </summary>
internal interface ITransport
{
    /// <summary>True when the socket must not send heartbeats over this transport (long poll).</summary>
    bool SkipHeartbeat { get; }

    /// <summary>Completes once the transport has reported its close and released its resources.</summary>
    Task Completion { get; }

    /// <summary>Starts connecting.</summary>
    void Start();

    /// <summary>Queues one frame; frames go out in order. Only called while open.</summary>
    void Send(EncodedFrame frame);

    /// <summary>Closes after the frames already queued (code null: none). Idempotent; the close event follows.</summary>
    void Close(int? code, string? reason);
}

/// <summary>What a transport reports. Calls for one transport never overlap and keep their order.</summary>
internal interface ITransportEvents
{
    void OnOpen();

    void OnMessage(ReadOnlyMemory<byte> data, bool isBinary);

    void OnError(Exception error);

    void OnClose(SocketCloseInfo close);
}

/// <summary>Everything needed to build a transport for one connection attempt.</summary>
/// <param name="Url">The WebSocket URL (<c>ws[s]://.../websocket?params&amp;vsn=...</c>); long poll derives its own from it.</param>
internal sealed record TransportRequest(TransportKind Kind, Uri Url, string? AuthToken, ITransportEvents Events);
