using Fenix;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Transports.LongPoll;
using Fenix.AspNetCore.Transports.WebSockets;
using Fenix.AspNetCore.Transports.WebSockets.Direct;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Mounts Fenix sockets on the endpoint routing table.</summary>
public static class FenixEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the socket handler <typeparamref name="TSocket"/> at <paramref name="path"/>: the WebSocket transport at
    /// <c>{path}/websocket</c> and, when enabled, the long-poll transport at <c>{path}/longpoll</c>. Route parameters in the path (e.g. <c>/ws/{tenant}</c>) join the connect params.
    /// Settings come from the configuration section <c>Fenix:Sockets:&lt;TSocket's class name&gt;</c>, then from
    /// <paramref name="configure"/>; settings out of range throw here, at startup, naming the key and what to set.
    /// </summary>
    public static IEndpointConventionBuilder MapFenixSocket<TSocket>(
        this IEndpointRouteBuilder endpoints,
        string path,
        Action<SocketMountOptions>? configure = null)
        where TSocket : FenixSocket
    {
        var services = endpoints.ServiceProvider;
        var runtime = services.GetService<FenixRuntime>()
            ?? throw new InvalidOperationException("Fenix is not registered: call builder.Services.AddFenix() before MapFenixSocket.");
        var options = new SocketMountOptions();
        var section = $"{SocketMountOptions.SectionPrefix}:{typeof(TSocket).Name}";
        services.GetService<IConfiguration>()?.GetSection(section).Bind(options);
        configure?.Invoke(options);
        options.Validate(section);
        var handler = ActivatorUtilities.CreateInstance<TSocket>(services);
        if (handler.Router.Routes.Any(route => route.Policies.Count > 0) && services.GetService<Microsoft.AspNetCore.Authorization.IAuthorizationService>() is null)
        {
            throw new InvalidOperationException(
                $"{typeof(TSocket).Name} has channel routes that require authorization: call builder.Services.AddAuthorization(...) before mapping it.");
        }

        var mount = new SocketMount(path, handler, options);

        var group = endpoints.MapGroup(path);
        if (options.WebSocket.Enabled)
        {
            group.Map(options.WebSocket.Path, context => WebSocketEndpoint.HandleAsync(context, mount, runtime))
                .WithMetadata(new DirectWebSocketRoute(mount)); // lets UseFenixWebSockets serve this route below the HTTP stack
        }

        if (options.LongPoll.Enabled)
        {
            group.Map(options.LongPoll.Path, context => LongPollEndpoint.HandleAsync(context, mount, runtime));
        }

        return group;
    }
}
