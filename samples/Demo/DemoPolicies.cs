using System.Net;
using Microsoft.AspNetCore.Authorization;

namespace Demo;

/// <summary>The Demo's authorization policies.</summary>
public static class DemoPolicies
{
    /// <summary>Requests from this machine only (the dashboard's policy in the Demo).</summary>
    public const string LocalOnly = "local-only";

    public static void RequireLoopback(AuthorizationPolicyBuilder policy) =>
        policy.RequireAssertion(context =>
            context.Resource is HttpContext http && http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address));
}
