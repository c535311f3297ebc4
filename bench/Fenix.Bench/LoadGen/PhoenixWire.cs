using System.Text;

namespace Fenix.Bench.LoadGen;

/// <summary>Phoenix V2 JSON, as the official JS client speaks it: <c>[join_ref, ref, topic, event, payload]</c>.</summary>
internal class PhoenixWire(bool presence) : WireProtocol
{
    public bool Presence { get; } = presence;

    public override Uri ConnectUri(string baseUrl, string topic, int index) =>
        new($"{ToWs(baseUrl)}/socket/websocket?vsn=2.0.0{(Presence ? $"&user=u{index}" : "")}");

    public override byte[]? JoinFrame(string topic) => Utf8($"[\"1\",\"1\",\"{topic}\",\"phx_join\",{{}}]");

    public override bool IsAck(ReadOnlySpan<byte> frame, out string? error)
    {
        error = null;
        if (!frame.StartsWith("[\"1\",\"1\","u8) || frame.IndexOf("\"phx_reply\""u8) < 0)
        {
            return false;
        }

        if (frame.IndexOf("\"status\":\"ok\""u8) >= 0)
        {
            return true;
        }

        error = Encoding.UTF8.GetString(frame);
        return true;
    }

    public override byte[] ChatFrame(string topic, long t, int seq, string body) =>
        Utf8($"[\"1\",null,\"{topic}\",\"msg\",{{\"t\":{t}{SeqField(seq)},\"body\":\"{body}\"}}]");

    public override bool TracksPresence => Presence;

    public override byte[]? Heartbeat(long n) => Utf8($"[null,\"hb{n}\",\"phoenix\",\"heartbeat\",{{}}]");

    /// <summary>The JS client's default; Fenix closes connections silent for 60 s.</summary>
    public override TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(30);

    internal static string ToWs(string baseUrl) => "ws" + baseUrl["http".Length..];

    /// <summary><c>,"seq":n</c> right after the timestamp (where <see cref="FrameScanner"/> looks), or nothing.</summary>
    internal static string SeqField(int seq) => seq >= 0 ? $",\"seq\":{seq}" : "";
}
