using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Fenix.PubSub.Redis.Internal;

/// <summary>
/// Tells apart, before the client starts retrying, a Redis that is down (the node starts alone and joins later) from a
/// configuration that points at something else (a clear error at startup): it connects to each plain-TCP endpoint and
/// sends an inline PING, which any Redis answers with a simple string or an error (e.g. -NOAUTH).
/// </summary>
internal static class EndpointCheck
{
    public enum Outcome
    {
        /// <summary>A Redis answered (possibly asking for authentication).</summary>
        Redis,

        /// <summary>Nothing accepted the connection in time: Redis may come later.</summary>
        Unreachable,

        /// <summary>Something accepted the connection and answered, or hung up, but not as Redis.</summary>
        NotRedis,

        /// <summary>Not checked (TLS, sentinel, tunnel or Unix socket), or the endpoint stayed silent.</summary>
        Unknown,
    }

    public static bool Applies(ConfigurationOptions options) => !options.Ssl && options.ServiceName is null && options.Tunnel is null;

    /// <summary>Checks <paramref name="endpoint"/>; the detail describes what answered when it was not Redis.</summary>
    public static async Task<(Outcome Outcome, string Detail)> CheckAsync(EndPoint endpoint, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var (host, port) = endpoint switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => (null, 0),
        };
        if (host is null || port <= 0)
        {
            return (Outcome.Unknown, "");
        }

        using var client = new TcpClient();
        using var expiry = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (Outcome.Unreachable, e.Message);
        }

        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), deadline.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, deadline.Token);
            if (read == 0)
            {
                return (Outcome.NotRedis, "it closed the connection without answering PING");
            }

            return buffer[0] is (byte)'+' or (byte)'-'
                ? (Outcome.Redis, "")
                : (Outcome.NotRedis, $"it answered PING with \"{Printable(buffer.AsSpan(0, read))}\"");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Outcome.Unknown, "it accepted the connection but did not answer PING");
        }
        catch (IOException e)
        {
            return (Outcome.NotRedis, $"it reset the connection after PING ({e.GetBaseException().Message})");
        }
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 24)])
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }

        return text.ToString();
    }
}
