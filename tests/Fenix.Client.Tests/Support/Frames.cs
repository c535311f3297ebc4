namespace Fenix.Client.Tests.Support;

/// <summary>Server frames written out as the wire carries them (V2 JSON arrays).</summary>
internal static class Frames
{
    public static string Reply(string? joinRef, string? @ref, string topic, string status, string response = "{}") =>
        $$"""[{{Quote(joinRef)}},{{Quote(@ref)}},"{{topic}}","phx_reply",{"status":"{{status}}","response":{{response}}}]""";

    public static string Push(string? joinRef, string topic, string @event, string payload = "{}") =>
        $$"""[{{Quote(joinRef)}},null,"{{topic}}","{{@event}}",{{payload}}]""";

    public static string Broadcast(string topic, string @event, string payload = "{}") => Push(null, topic, @event, payload);

    public static string Error(string joinRef, string topic) =>
        $$"""["{{joinRef}}","{{joinRef}}","{{topic}}","phx_error",{"reason":"channel_crash"}]""";

    public static string Close(string joinRef, string topic) => $$"""["{{joinRef}}","{{joinRef}}","{{topic}}","phx_close",{}]""";

    private static string Quote(string? value) => value is null ? "null" : $"\"{value}\"";
}
