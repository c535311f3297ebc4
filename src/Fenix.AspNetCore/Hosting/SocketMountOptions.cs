namespace Fenix;

/// <summary>Settings of one socket mount (<c>MapFenixSocket&lt;T&gt;(path, options =&gt; ...)</c>).</summary>
public sealed class SocketMountOptions
{
    /// <summary>Which browser origins may connect. Default: the request's own host.</summary>
    public OriginCheck CheckOrigin { get; set; } = OriginCheck.RequestHost;

    public WebSocketTransportOptions WebSocket { get; } = new();

    public LongPollTransportOptions LongPoll { get; } = new();

    /// <summary>Most channels one connection may join (default 100, as Phoenix); the next join gets "too many channels joined".</summary>
    public int MaxChannels { get; set; } = 100;

    /// <summary>
    /// Most bytes queued for one client. A client that does not read fast enough to stay below is closed as a slow
    /// consumer (code 1013), so it cannot make the server buffer without bound.
    /// </summary>
    public long MaxOutboundBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Most client messages accepted but not yet handled by their channels; beyond it the server stops reading that connection.</summary>
    public int MaxPendingInbound { get; set; } = 1024;

    /// <summary>Most server-side messages (infos, intercepted broadcasts) queued for one channel; overflow crashes that channel.</summary>
    public int MaxChannelMailbox { get; set; } = 10_000;
}

/// <summary>WebSocket transport settings (path <c>&lt;mount&gt;/websocket</c>).</summary>
public sealed class WebSocketTransportOptions
{
    public bool Enabled { get; set; } = true;

    public string Path { get; set; } = "websocket";

    /// <summary>A connection that sends nothing for this long is closed (1001); the JS client's heartbeat every 30 s keeps it open.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest message accepted from a client (default 1 MB); a larger one closes the connection with 1009.</summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>How long to wait for the client's close frame after the server sent its own.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Subprotocols the server accepts besides <c>phoenix</c>; an offered list matching none is refused with 403.</summary>
    public IList<string> Subprotocols { get; } = [];
}

/// <summary>Long-poll transport settings (path <c>&lt;mount&gt;/longpoll</c>), for clients whose WebSocket is blocked.</summary>
public sealed class LongPollTransportOptions
{
    /// <summary>Off by default, as in Phoenix; the JS client falls back to it with <c>longPollFallbackMs</c>.</summary>
    public bool Enabled { get; set; }

    public string Path { get; set; } = "longpoll";

    /// <summary>How long a poll is held open waiting for messages before answering 204. A session that is not polled
    /// for 1.5 × this long expires and its channels terminate.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most bytes of frames buffered for a session between polls; a session over it is closed (Phoenix buffers without bound).</summary>
    public long MaxBufferedBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest POST body accepted (HTTP 400 beyond).</summary>
    public long MaxRequestBodySize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Lines of one ndjson POST that are processed; the rest are ignored, as in Phoenix.</summary>
    public int MaxLinesPerPost { get; set; } = 100;

    /// <summary>How long a session token stays valid (Phoenix: 14 days); the session itself expires much sooner when not polled.</summary>
    public TimeSpan TokenMaxAge { get; set; } = TimeSpan.FromDays(14);
}
