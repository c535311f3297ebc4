namespace Fenix.AspNetCore.Channels;

/// <summary>The fixed payloads of Phoenix's error replies and notices, built once.</summary>
internal static class ReplyPayloads
{
    public static Payload JoinCrashed { get; } = Reason("join crashed");

    public static Payload Unauthorized { get; } = Reason("unauthorized");

    public static Payload UnmatchedTopic { get; } = Reason("unmatched topic");

    public static Payload TooManyChannels { get; } = Reason("too many channels joined");

    public static Payload ChannelCrash { get; } = Reason("channel_crash");

    private static Payload Reason(string reason) => Payload.From(new { reason });
}
