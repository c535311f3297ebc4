using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;

namespace Fenix.AspNetCore.Sockets;

/// <summary>The outcome of running a socket's connect callback: accepted with assigns and id, or refused with a status.</summary>
internal readonly record struct ConnectOutcome(bool Accepted, int StatusCode, Assigns Assigns, string? SocketId);

/// <summary>Runs the user's connect callback and id function for any transport.</summary>
internal static class SocketConnector
{
    public static async ValueTask<ConnectOutcome> ConnectAsync(SocketMount mount, FenixRuntime runtime, ConnectParams parameters, ConnectInfo info)
    {
        var log = runtime.SocketLog;
        try
        {
            var result = await mount.Handler.ConnectAsync(parameters, info);
            if (!result.Accepted)
            {
                log.ConnectRefused(info.Transport, mount.HandlerName, $"ConnectAsync refused (status {result.StatusCode})");
                return new ConnectOutcome(false, result.StatusCode, new Assigns(), null);
            }

            var assigns = result.Assigns ?? new Assigns();
            return new ConnectOutcome(true, 0, assigns, mount.Handler.Id(assigns));
        }
        catch (Exception e)
        {
            log.ConnectCrashed(mount.HandlerName, e);
            return new ConnectOutcome(false, 500, new Assigns(), null);
        }
    }
}
