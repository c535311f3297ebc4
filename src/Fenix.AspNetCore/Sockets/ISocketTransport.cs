using Fenix.Protocol;

namespace Fenix.AspNetCore.Sockets;

/// <summary>
/// What a socket session needs from its transport (WebSocket or long poll): a way to send frames and a way to end.
/// Both are non-blocking and never throw: a failed or overflowing write closes the connection once.
/// </summary>
internal interface ISocketTransport
{
    /// <summary>"websocket" or "longpoll".</summary>
    string Name { get; }

    /// <summary>Whether binary frames can be sent to the client.</summary>
    bool SupportsBinary { get; }

    /// <summary>Queues a frame for the client; frames sent after the transport closed are dropped.</summary>
    void Send(EncodedFrame frame);

    /// <summary>Ends the connection; the first reason given wins.</summary>
    void Close(TransportCloseReason reason);
}

/// <summary>Why a transport closes, as a WebSocket close code and text.</summary>
internal readonly record struct TransportCloseReason(int Code, string Text)
{
    /// <summary>Client-initiated or end of stream.</summary>
    public static TransportCloseReason Normal { get; } = new(1000, "");

    public static TransportCloseReason Disconnected { get; } = new(1001, "disconnected");

    public static TransportCloseReason IdleTimeout { get; } = new(1001, "idle timeout");

    public static TransportCloseReason ProtocolError(string text) => new(1002, text);

    public static TransportCloseReason InvalidUtf8 { get; } = new(1007, "invalid UTF-8");

    public static TransportCloseReason TooBig { get; } = new(1009, "message too big");

    public static TransportCloseReason InvalidMessage(string text) => new(1011, text);

    public static TransportCloseReason ServerError { get; } = new(1011, "server error");

    public static TransportCloseReason Draining { get; } = new(1012, "server restart");

    /// <summary>The client did not read fast enough and its outbound queue overflowed (1013: try again later).</summary>
    public static TransportCloseReason SlowConsumer { get; } = new(1013, "slow consumer");
}
