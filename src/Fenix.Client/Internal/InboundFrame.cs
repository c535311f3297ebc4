using Fenix.Protocol;

namespace Fenix.Client.Internal;

/// <summary>A decoded server frame; for <c>phx_reply</c> also its status and response (JSON or binary).</summary>
internal sealed record InboundFrame(Message Message, PushReply? Reply);
