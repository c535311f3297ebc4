using Fenix.AspNetCore.Routing;

namespace Fenix;

/// <summary>
/// The base of a socket handler: declares channel routes (in the constructor) and authenticates connections.
/// One instance serves every connection of a mount; per-connection state lives in <see cref="Assigns"/>.
/// </summary>
/// <example>
/// <code>
/// public sealed class UserSocket : FenixSocket
/// {
///     public UserSocket() => Channel&lt;RoomChannel&gt;("rooms:*");
///
///     public override ValueTask&lt;ConnectResult&gt; ConnectAsync(ConnectParams parameters, ConnectInfo info) =>
///         parameters.Get("user") is { Length: &gt; 0 } user ? ConnectResult.Accept(("user", user)) : ConnectResult.Refuse();
///
///     public override string? Id(Assigns assigns) => $"users_socket:{assigns["user"]}";
/// }
/// </code>
/// </example>
public abstract class FenixSocket
{
    internal ChannelRouter Router { get; } = new();

    /// <summary>Authenticates a connection. The default accepts everyone with empty assigns.</summary>
    public virtual ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        ConnectResult.Accept();

    /// <summary>
    /// Names the connection so that every socket of, say, one user can be disconnected at once
    /// (<see cref="IFenixBroadcaster.Disconnect"/>). Null (the default) means anonymous.
    /// </summary>
    public virtual string? Id(Assigns assigns) => null;

    /// <summary>Routes topics matching <paramref name="pattern"/> (exact, or a prefix ending in <c>*</c>) to <typeparamref name="TChannel"/>.</summary>
    protected ChannelRoute Channel<TChannel>(string pattern)
        where TChannel : Channel => Router.Add<TChannel>(pattern);
}
