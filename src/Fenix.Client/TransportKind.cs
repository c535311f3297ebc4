namespace Fenix.Client;

/// <summary>How a socket reaches the server.</summary>
public enum TransportKind
{
    /// <summary><c>&lt;endpoint&gt;/websocket</c>, text and binary frames.</summary>
    WebSocket,

    /// <summary><c>&lt;endpoint&gt;/longpoll</c> over HTTP (no heartbeats; server-to-client frames are text only).</summary>
    LongPoll,
}
