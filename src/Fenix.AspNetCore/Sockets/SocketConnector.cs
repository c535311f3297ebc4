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
        var telemetry = runtime.Telemetry.ConnectStarting(mount, parameters, info);
        try
        {
            var result = await mount.Handler.ConnectAsync(parameters, info);
            if (!result.Accepted)
            {
                log.ConnectRefused(info.Transport, mount.HandlerName, $"ConnectAsync refused (status {result.StatusCode})");
                telemetry.Stop(accepted: false, result.StatusCode, socketId: null);
                return new ConnectOutcome(false, result.StatusCode, new Assigns(), null);
            }

            var assigns = result.Assigns ?? new Assigns();
            var socketId = mount.Handler.Id(assigns);
            telemetry.Stop(accepted: true, 0, socketId);
            return new ConnectOutcome(true, 0, assigns, socketId);
        }
        catch (Exception e)
        {
            log.ConnectCrashed(mount.HandlerName, e);
            telemetry.Stop(accepted: false, 500, socketId: null, e);
            return new ConnectOutcome(false, 500, new Assigns(), null);
        }
    }
}
