using Fenix.Protocol;

namespace Fenix.AspNetCore.Channels;

/// <summary>One item of a channel server's mailbox.</summary>
internal readonly record struct ChannelMail(ChannelMailKind Kind, Message? Message = null, object? Info = null, TerminateReason? Reason = null)
{
    /// <summary>A frame from the client: counted against the connection's pending-inbound bound until handled.</summary>
    public bool IsFromClient => Kind is ChannelMailKind.Join or ChannelMailKind.In or ChannelMailKind.Leave;
}

internal enum ChannelMailKind : byte
{
    /// <summary>The <c>phx_join</c> that created the server; always first.</summary>
    Join,

    /// <summary>A client event.</summary>
    In,

    /// <summary>A client <c>phx_leave</c>.</summary>
    Leave,

    /// <summary>A server-side message for HandleInfo.</summary>
    Info,

    /// <summary>An intercepted broadcast for HandleOut.</summary>
    Out,

    /// <summary>The connection ended; stop with the given reason.</summary>
    Shutdown,

    /// <summary>A later <c>phx_join</c> of this topic replaced this instance (the successor is in Info): end without terminate.</summary>
    Replace,

    /// <summary>A broadcast of a history topic for a channel that intercepts events (all of them come this way, in position order).</summary>
    History,
}
