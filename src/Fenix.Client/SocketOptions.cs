using System.Net.WebSockets;
using System.Text.Json;
using Fenix.Client.Transports;
using Fenix.Protocol;
using Microsoft.Extensions.Logging;

namespace Fenix.Client;

/// <summary>Settings of a <see cref="Socket"/>; the defaults are those of phoenix.js.</summary>
public sealed class SocketOptions
{
    /// <summary>
    /// The connect params, evaluated at every connect (so a refreshed token is picked up on reconnect): an object or
    /// dictionary serialized like phoenix.js does (nested values in bracket notation, e.g. <c>user[id]=1</c>).
    /// </summary>
    public Func<object?>? Params { get; set; }

    /// <summary>
    /// A token for the server's connect info (phoenix.js <c>authToken</c>): sent in <c>Sec-WebSocket-Protocol</c>
    /// (WebSocket) or the <c>X-Phoenix-AuthToken</c> header (long poll). Evaluated at every connect.
    /// </summary>
    public Func<string?>? AuthToken { get; set; }

    /// <summary>Default timeout of joins, pushes and leaves (10 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time between a heartbeat reply and the next heartbeat (30 s). WebSocket only.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a heartbeat reply before closing and reconnecting; null means <see cref="HeartbeatInterval"/>, as phoenix.js.</summary>
    public TimeSpan? HeartbeatTimeout { get; set; }

    /// <summary>Socket reconnect delay by attempt (1-based); default <see cref="Backoff.Reconnect"/>.</summary>
    public Func<int, TimeSpan> ReconnectAfter { get; set; } = Backoff.Reconnect;

    /// <summary>Channel rejoin delay by attempt (1-based); default <see cref="Backoff.Rejoin"/>.</summary>
    public Func<int, TimeSpan> RejoinAfter { get; set; } = Backoff.Rejoin;

    /// <summary>
    /// Whether a close with code 1000 by the server (or a proxy) is reconnected too. Off by default: 1000 means "do not
    /// come back" in the protocol (protocol.md §6.4, phoenix.js up to 1.8.12), while phoenix.js 1.8.16 reconnects whatever the code.
    /// </summary>
    public bool ReconnectOnNormalClosure { get; set; }

    /// <summary>The transport to use first.</summary>
    public TransportKind Transport { get; set; } = TransportKind.WebSocket;

    /// <summary>
    /// When set, a WebSocket that fails before opening, or does not open and answer a ping within this time, is
    /// replaced by long poll for the rest of this socket's life (phoenix.js <c>longPollFallbackMs</c>).
    /// </summary>
    public TimeSpan? LongPollFallback { get; set; }

    /// <summary>Longest a long-poll request may take (20 s; must exceed the server's poll window of 10 s).</summary>
    public TimeSpan LongPollerTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Longest the WebSocket opening handshake may take before it counts as failed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The serializer version sent as <c>vsn</c>. Only V2 ("2.0.0") is spoken by this client.</summary>
    public string Vsn { get; set; } = "2.0.0";

    /// <summary>How push and join payload objects are serialized (default: web conventions, camelCase).</summary>
    public JsonSerializerOptions JsonOptions { get; set; } = new(PayloadJson.Options);

    /// <summary>Receives the client's diagnostics (connects, closes, errors; pushes and frames at Trace level).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The clock of every timer (heartbeats, backoffs, timeouts).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The HTTP handler for long poll (proxies, certificates, tests); the socket owns and disposes it.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    /// <summary>Adjusts each <see cref="ClientWebSocket"/> before it connects (headers, proxy, certificates, keep-alive).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>Replaces the transports (tests drive the socket through a fake one).</summary>
    internal Func<TransportRequest, ITransport>? TransportFactory { get; set; }

    internal TimeSpan EffectiveHeartbeatTimeout => HeartbeatTimeout ?? HeartbeatInterval;
}
