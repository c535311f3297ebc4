using System.Text;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// How one server under test is spoken to over a plain <see cref="System.Net.WebSockets.ClientWebSocket"/>: the URL,
/// the frames to open a session and join a topic, a chat message, a heartbeat. The receive path is the same for all:
/// it looks for the <c>"t":</c> timestamp the servers' JSON carries (see <see cref="FrameScanner"/>).
/// </summary>
internal abstract class WireProtocol
{
    public static WireProtocol For(string server) => server switch
    {
        "fenix" or "fenix-direct" => new PhoenixWire(presence: false),
        "fenix-presence" => new PhoenixWire(presence: true),
        "chat" => new ChatSampleWire(),
        "signalr" => new SignalRWire(),
        "kestrel-ws" => new RawWire(),
        _ => throw new ArgumentException($"Unknown server '{server}': expected fenix, fenix-direct, fenix-presence, signalr, kestrel-ws or chat.", nameof(server)),
    };

    public abstract Uri ConnectUri(string baseUrl, string topic, int index);

    /// <summary>Sent right after the upgrade, answered by one message (SignalR's protocol handshake); null if none.</summary>
    public virtual byte[]? Handshake => null;

    /// <summary>Joins <paramref name="topic"/>; null when connecting is joining (bare WebSocket).</summary>
    public abstract byte[]? JoinFrame(string topic);

    /// <summary>Whether <paramref name="frame"/> acknowledges the join (or the handshake, when waiting for it).</summary>
    public abstract bool IsAck(ReadOnlySpan<byte> frame, out string? error);

    /// <summary>A chat message carrying the send timestamp <paramref name="t"/> and, for a paced publisher, its sequence number (else -1).</summary>
    public abstract byte[] ChatFrame(string topic, long t, int seq, string body);

    /// <summary>Whether the server's presence frames (presence_state, presence_diff) are to be applied to member lists.</summary>
    public virtual bool TracksPresence => false;

    /// <summary>What keeps an idle connection open, and how often; null if nothing is needed.</summary>
    public abstract byte[]? Heartbeat(long n);

    public abstract TimeSpan HeartbeatInterval { get; }

    protected static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
