namespace Fenix.Bench.LoadGen;

/// <summary>
/// samples/Chat as its own page and the independent harness speak to it: Phoenix V2 JSON at <c>/socket</c>, every
/// connection naming its user (<c>?user=u&lt;index&gt;</c>, or the upgrade is refused), the one joinable topic
/// <c>rooms:lobby</c> (joining tracks the user's presence), and <c>new_msg</c> with a string <c>body</c>, which the room
/// broadcasts to every member (the sender too) as <c>{"body":…,"user":…}</c>. The timestamp and sequence number ride in
/// the body as <c>@t&lt;t&gt;@s&lt;seq&gt;@</c> (see <see cref="FrameScanner"/>), since the body is re-encoded as a JSON string.
/// </summary>
internal sealed class ChatSampleWire() : PhoenixWire(presence: true)
{
    public const string Lobby = "rooms:lobby";

    public override byte[]? JoinFrame(string topic) => base.JoinFrame(Lobby);

    public override byte[] ChatFrame(string topic, long t, int seq, string body) =>
        Utf8($"[\"1\",null,\"{Lobby}\",\"new_msg\",{{\"body\":\"{FrameScanner.BodyMarker(t, seq)}{body}\"}}]");
}
