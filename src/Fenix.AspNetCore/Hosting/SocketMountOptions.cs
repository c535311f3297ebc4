namespace Fenix;

/// <summary>
/// Settings of one socket mount (<c>MapFenixSocket&lt;T&gt;(path, options =&gt; ...)</c>). Bound first from the
/// configuration section <c>Fenix:Sockets:&lt;socket class name&gt;</c> (e.g. <c>Fenix:Sockets:UserSocket:MaxChannels</c>,
/// <c>Fenix:Sockets:UserSocket:WebSocket:IdleTimeout</c>), then from code; checked when the socket is mapped.
/// </summary>
public sealed class SocketMountOptions
{
    /// <summary>The configuration section of a socket class's mounts (<c>Fenix:Sockets:&lt;name&gt;</c>).</summary>
    public const string SectionPrefix = "Fenix:Sockets";

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

    /// <summary>Throws with every setting that is out of range and what to set instead (<paramref name="section"/> names the keys).</summary>
    internal void Validate(string section)
    {
        List<string> failures = [];
        void Require(bool ok, string key, object? value, string rule)
        {
            if (!ok)
            {
                failures.Add($"{section}:{key} is {value ?? "null"}: {rule}");
            }
        }

        Require(CheckOrigin is not null, nameof(CheckOrigin), CheckOrigin, "set an origin check (default RequestHost), or * to allow any origin.");
        Require(MaxChannels >= 1, nameof(MaxChannels), MaxChannels, "it must be at least 1 (default 100).");
        Require(MaxOutboundBytes >= 1024, nameof(MaxOutboundBytes), MaxOutboundBytes, "it must be at least 1024 bytes (default 8 MB); clients would be closed as slow consumers at once.");
        Require(MaxPendingInbound >= 1, nameof(MaxPendingInbound), MaxPendingInbound, "it must be at least 1 (default 1024).");
        Require(MaxChannelMailbox >= 1, nameof(MaxChannelMailbox), MaxChannelMailbox, "it must be at least 1 (default 10000).");
        Require(WebSocket.Enabled || LongPoll.Enabled, "WebSocket:Enabled", WebSocket.Enabled, "enable at least one transport (WebSocket or LongPoll), or do not map the socket.");
        Require(IsPathSegment(WebSocket.Path), "WebSocket:Path", WebSocket.Path, "it must be a non-empty path under the mount, without leading or trailing '/' (default websocket).");
        Require(WebSocket.IdleTimeout > TimeSpan.Zero, "WebSocket:IdleTimeout", WebSocket.IdleTimeout, "it must be positive (default 00:01:00; clients send a heartbeat every 30 s).");
        Require(WebSocket.MaxMessageSize >= 256, "WebSocket:MaxMessageSize", WebSocket.MaxMessageSize, "it must be at least 256 bytes (default 1048576): a join frame alone needs ~100.");
        Require(WebSocket.CloseTimeout > TimeSpan.Zero, "WebSocket:CloseTimeout", WebSocket.CloseTimeout, "it must be positive (default 00:00:02).");
        Require(IsPathSegment(LongPoll.Path), "LongPoll:Path", LongPoll.Path, "it must be a non-empty path under the mount, without leading or trailing '/' (default longpoll).");
        Require(!(WebSocket.Enabled && LongPoll.Enabled) || !string.Equals(WebSocket.Path, LongPoll.Path, StringComparison.OrdinalIgnoreCase),
            "LongPoll:Path", LongPoll.Path, "it must differ from WebSocket:Path.");
        Require(LongPoll.Window > TimeSpan.Zero, "LongPoll:Window", LongPoll.Window, "it must be positive (default 00:00:10).");
        Require(LongPoll.MaxBufferedBytes >= 1024, "LongPoll:MaxBufferedBytes", LongPoll.MaxBufferedBytes, "it must be at least 1024 bytes (default 4 MB).");
        Require(LongPoll.MaxRequestBodySize >= 256, "LongPoll:MaxRequestBodySize", LongPoll.MaxRequestBodySize, "it must be at least 256 bytes (default 8 MB).");
        Require(LongPoll.MaxLinesPerPost >= 1, "LongPoll:MaxLinesPerPost", LongPoll.MaxLinesPerPost, "it must be at least 1 (default 100).");
        Require(LongPoll.TokenMaxAge > TimeSpan.Zero, "LongPoll:TokenMaxAge", LongPoll.TokenMaxAge, "it must be positive (default 14.00:00:00).");
        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"Invalid socket settings ({failures.Count}):\n  " + string.Join("\n  ", failures));
        }
    }

    private static bool IsPathSegment(string? path) => !string.IsNullOrWhiteSpace(path) && !path.StartsWith('/') && !path.EndsWith('/');
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
