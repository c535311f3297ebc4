using System.Net;
using System.Net.Sockets;

namespace Fenix.Bench.LoadGen;

/// <summary>Binds a client socket to its load generator's source address before it connects.</summary>
internal static class SourceBinding
{
    private const int IpProtocolIp = 0;

    /// <summary>Linux's IP_BIND_ADDRESS_NO_PORT: the port is chosen at connect, by the whole 4-tuple.</summary>
    private const int IpBindAddressNoPort = 24;

    private static readonly byte[] Enabled = BitConverter.GetBytes(1);

    /// <summary>
    /// Binds <paramref name="socket"/> to <paramref name="source"/> (no-op when null). Without IP_BIND_ADDRESS_NO_PORT a
    /// bind to port 0 searches for a port no other socket holds, which grows with every open connection (at 7,500 per
    /// process it cost the load generator milliseconds of system time per connect); with it the port is picked at
    /// connect time, as for an unbound socket.
    /// </summary>
    public static void Bind(Socket socket, IPAddress? source)
    {
        if (source is null)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(IpProtocolIp, IpBindAddressNoPort, Enabled);
        }

        socket.Bind(new IPEndPoint(source, 0));
    }
}
