namespace Fenix.Bench.LoadGen;

/// <summary>The bare WebSocket server: the topic is in the URL, messages are the JSON objects themselves.</summary>
internal sealed class RawWire : WireProtocol
{
    public override Uri ConnectUri(string baseUrl, string topic, int index) =>
        new($"{PhoenixWire.ToWs(baseUrl)}/ws?topic={Uri.EscapeDataString(topic)}");

    public override byte[]? JoinFrame(string topic) => null;

    public override bool IsAck(ReadOnlySpan<byte> frame, out string? error)
    {
        error = null;
        return true;
    }

    public override byte[] ChatFrame(string topic, long t, int seq, string body) =>
        Utf8($"{{\"t\":{t}{PhoenixWire.SeqField(seq)},\"body\":\"{body}\"}}");

    public override byte[]? Heartbeat(long n) => null;

    public override TimeSpan HeartbeatInterval => Timeout.InfiniteTimeSpan;
}
