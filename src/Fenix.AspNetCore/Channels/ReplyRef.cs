using Fenix.AspNetCore.Channels;
namespace Fenix;

/// <summary>
/// The address of one client message, captured in <see cref="Channel.HandleInAsync"/> with
/// <see cref="ChannelSocket.CaptureReply"/>, to reply later — from any task, any number of times.
/// </summary>
public sealed class ReplyRef
{
    private readonly ChannelServer _server;

    internal ReplyRef(ChannelServer server, string? @ref)
    {
        _server = server;
        Ref = @ref;
    }

    public string? Ref { get; }

    public string Topic => _server.Topic;

    /// <summary>Sends <c>phx_reply</c> with <paramref name="status"/> and <paramref name="response"/> (a JSON object or binary).</summary>
    public void Reply(string status, object? response = null) =>
        _server.SendReply(Ref, status, Payload.From(response, _server.JsonOptions));

    public void Ok(object? response = null) => Reply(ReplyStatus.Ok, response);

    public void Error(object? response = null) => Reply(ReplyStatus.Error, response);
}
