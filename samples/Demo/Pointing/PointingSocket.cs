using Demo.Shared;
using Fenix;

namespace Demo.Pointing;

/// <summary>
/// The Pointing Party socket (<c>/pointing/socket</c>): connect with <c>?name=ann</c> (see <see cref="DisplayName"/>),
/// then join <c>pointing:&lt;room&gt;</c>.
/// </summary>
public sealed class PointingSocket : FenixSocket
{
    public PointingSocket() => Channel<PointingChannel>(PointingChannel.TopicPrefix + "*");

    public override ValueTask<ConnectResult> ConnectAsync(ConnectParams parameters, ConnectInfo connectInfo) =>
        DisplayName.TryNormalize(parameters.Get("name"), out var name)
            ? ConnectResult.Accept(("name", name))
            : ConnectResult.Refuse();
}
