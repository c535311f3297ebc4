namespace Fenix;

/// <summary>The reserved event and topic names of the Phoenix protocol, spelled as the wire spells them.</summary>
public static class PhoenixEvents
{
    public const string Join = "phx_join";
    public const string Leave = "phx_leave";
    public const string Reply = "phx_reply";
    public const string Error = "phx_error";
    public const string Close = "phx_close";
    public const string Heartbeat = "heartbeat";
    public const string PresenceState = "presence_state";
    public const string PresenceDiff = "presence_diff";

    /// <summary>Broadcast on a socket id topic: every connection with that id closes.</summary>
    public const string Disconnect = "disconnect";

    /// <summary>The topic of heartbeats.</summary>
    public const string PhoenixTopic = "phoenix";
}
