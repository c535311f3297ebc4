using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fenix.Testing.Network;

/// <summary>
/// Loopback ports for servers that a test starts as processes of their own (a sample, redis-server), starts later than it
/// names them, or stops and starts again on the same port. A port found by binding port 0 comes from the kernel's
/// ephemeral range: once released, any bind to port 0 or outgoing connection on the machine (the other tests' servers and
/// clients) may take it before the server binds it, or while it is down, and the test meets a stranger on its port.
/// These ports lie just below that range, where only an explicit bind can take one.
/// </summary>
internal static class LoopbackPorts
{
    /// <summary>How many ports below the ephemeral range are used.</summary>
    private const int Span = 8_000;

    /// <summary>Ports that a service on a test machine may bind at any time (RabbitMQ's inter-node port).</summary>
    private static readonly int[] Avoided = [25_672];

    /// <summary>The last candidate handed out; starts at a random place, so concurrent test processes rarely meet.</summary>
    private static int s_last = Random.Shared.Next(Span);

    /// <summary>A 127.0.0.1 port that nothing listens on now and that no bind to port 0 can be given.</summary>
    public static int Reserve()
    {
        var top = EphemeralRangeStart();
        var bottom = Math.Max(1024, top - Span);
        if (top - bottom < Span / 8)
        {
            return AnyFreePort(); // a machine whose ephemeral range starts low: nothing better than the kernel's choice
        }

        for (var attempt = 0; attempt < top - bottom; attempt++)
        {
            var port = bottom + (int)((uint)Interlocked.Increment(ref s_last) % (uint)(top - bottom));
            if (Array.IndexOf(Avoided, port) < 0 && IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port between {bottom} and {top}.");
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux's /proc/sys/net/ipv4/ip_local_port_range; 32768 elsewhere).</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }

    private static int AnyFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
