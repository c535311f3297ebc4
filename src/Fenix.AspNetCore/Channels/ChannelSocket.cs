using System.Security.Claims;
using Fenix.AspNetCore.Channels;

namespace Fenix;

/// <summary>
/// What a channel knows about its connection, passed to every callback: topic, join ref, assigns (this channel's
/// own copy), the socket id, connect info and the authenticated user.
/// </summary>
public sealed class ChannelSocket
{
    private readonly ChannelServer _server;

    internal ChannelSocket(ChannelServer server, Assigns assigns)
    {
        _server = server;
        Assigns = assigns;
    }

    public string Topic => _server.Topic;

    /// <summary>The ref of the join message (the join message's ref when the client sent no join_ref).</summary>
    public string? JoinRef => _server.JoinRef;

    /// <summary>This channel's assigns: a copy of the socket's from connect; changes stay in this channel.</summary>
    public Assigns Assigns { get; }

    /// <summary>The socket id (e.g. <c>"users_socket:42"</c>), or null for an anonymous socket.</summary>
    public string? Id => _server.Session.SocketId;

    public ConnectInfo ConnectInfo => _server.Session.ConnectInfo;

    public ClaimsPrincipal User => _server.Session.ConnectInfo.User;

    /// <summary>"websocket" or "longpoll".</summary>
    public string Transport => _server.Session.Transport.Name;

    /// <summary>The ref of the client message being handled (null outside <see cref="Channel.HandleInAsync"/>).</summary>
    public string? Ref { get; internal set; }

    /// <summary>
    /// This channel's own services: a scope created before <see cref="Channel.JoinAsync"/> and disposed after
    /// <see cref="Channel.TerminateAsync"/> (or when the channel ends without it), like a request's scope for a controller.
    /// Scoped services (a <c>DbContext</c>) are one instance per channel.
    /// </summary>
    public IServiceProvider Services => _server.Services;

    /// <summary>Captures the current message's ref to reply later with <see cref="ReplyRef.Reply"/>.</summary>
    public ReplyRef CaptureReply() => Ref is null
        ? throw new InvalidOperationException("CaptureReply is only possible while handling a client message (HandleInAsync).")
        : new ReplyRef(_server, Ref);
}
