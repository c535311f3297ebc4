using Fenix.Dashboard.Internal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

#pragma warning disable IDE0130 // Extension methods live in the namespace of what they extend, as ASP.NET Core's do.
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Maps the Fenix dashboard.</summary>
public static class FenixDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the live dashboard at <paramref name="path"/> (the page, its files, and its own Fenix socket at
    /// <c>{path}/socket</c>). Protect it like any endpoint, on the returned builder:
    /// <c>app.MapFenixDashboard("/fenix").RequireAuthorization("ops")</c>. Without an authorization requirement it is
    /// refused (403) outside the Development environment, and in Development it answers only requests from this machine.
    /// </summary>
    /// <exception cref="InvalidOperationException">The dashboard's services are missing (call <c>AddFenix().AddDashboard()</c>).</exception>
    public static IEndpointConventionBuilder MapFenixDashboard(this IEndpointRouteBuilder endpoints, string path = "/fenix")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var services = endpoints.ServiceProvider;
        var assets = services.GetService<DashboardAssets>()
            ?? throw new InvalidOperationException("The Fenix dashboard is not registered: call builder.Services.AddFenix().AddDashboard() before MapFenixDashboard.");
        var development = services.GetService<IHostEnvironment>()?.IsDevelopment() ?? false;

        var group = endpoints.MapGroup(path);

        // Finally: after the route handlers' own delegates are built, so the guard wraps every endpoint of the group.
        ((IEndpointConventionBuilder)group).Finally(endpoint => endpoint.RequestDelegate = Guard(endpoint.RequestDelegate!, development));

        // Routing ignores a trailing slash; the page needs one so that its relative URLs resolve under the mount.
        group.MapGet("/", (HttpContext context) => context.Request.Path.Value?.EndsWith('/') == true
            ? assets.ServeAsync(context, "index.html")
            : RedirectToSlash(context));
        foreach (var file in assets.Names.Where(name => name != "index.html"))
        {
            group.MapGet("/" + file, (HttpContext context) => assets.ServeAsync(context, file));
        }

        group.MapFenixSocket<DashboardSocket>("/socket", socket => socket.LongPoll.Enabled = false);
        return group;
    }

    private static Task RedirectToSlash(HttpContext context)
    {
        context.Response.Redirect($"{context.Request.PathBase}{context.Request.Path}/{context.Request.QueryString}");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs before each of the dashboard's endpoints: with no authorization requirement on it, only Development from
    /// loopback gets through — a dashboard lists topics and who is present, which must not be public by accident.
    /// </summary>
    private static RequestDelegate Guard(RequestDelegate next, bool development) => async context =>
    {
        var endpoint = context.GetEndpoint();
        var protectedByPolicy = endpoint?.Metadata.GetMetadata<IAuthorizeData>() is not null
            || endpoint?.Metadata.GetMetadata<AuthorizationPolicy>() is not null // RequireAuthorization(policy => ...)
            || endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is not null; // an explicit, deliberate AllowAnonymous()
        if (!protectedByPolicy)
        {
            var local = context.Connection.RemoteIpAddress is { } address && System.Net.IPAddress.IsLoopback(address);
            if (!development || !local)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync(development
                    ? "The Fenix dashboard has no authorization policy, so in Development it answers only requests from this machine."
                    : "The Fenix dashboard has no authorization policy: map it with app.MapFenixDashboard(path).RequireAuthorization(\"<policy>\"). Without one it is refused outside Development.");
                return;
            }
        }

        await next(context);
    };
}
