using System.Text;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// SignalR's JSON hub protocol (version 1) straight over the WebSocket, as the JS client with skipNegotiation does:
/// records end with 0x1E; invocations are type 1, completions type 3, pings type 6.
/// </summary>
internal sealed class SignalRWire : WireProtocol
{
    private const char RecordSeparator = '\u001e';

    public override Uri ConnectUri(string baseUrl, string topic, int index) => new($"{PhoenixWire.ToWs(baseUrl)}/hub");

    public override byte[]? Handshake => Utf8($"{{\"protocol\":\"json\",\"version\":1}}{RecordSeparator}");

    public override byte[]? JoinFrame(string topic) =>
        Utf8($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Join\",\"arguments\":[\"{topic}\"]}}{RecordSeparator}");

    /// <summary>The handshake answer is <c>{}</c> (or <c>{"error":…}</c>); the join's is a completion with invocation id 1.</summary>
    public override bool IsAck(ReadOnlySpan<byte> frame, out string? error)
    {
        error = frame.IndexOf("\"error\""u8) >= 0 ? Encoding.UTF8.GetString(frame) : null;
        return frame.StartsWith("{}"u8) || frame.IndexOf("\"type\":3"u8) >= 0 || error is not null;
    }

    public override byte[] ChatFrame(string topic, long t, int seq, string body) =>
        Utf8($"{{\"type\":1,\"target\":\"Send\",\"arguments\":[\"{topic}\",{{\"t\":{t},\"seq\":{seq},\"body\":\"{body}\"}}]}}{RecordSeparator}");

    public override byte[]? Heartbeat(long n) => Utf8($"{{\"type\":6}}{RecordSeparator}");

    /// <summary>The .NET and JS clients' default; the server drops a client silent for 30 s.</summary>
    public override TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(15);
}
