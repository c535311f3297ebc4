using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Fenix.Bench.Orchestration;

/// <summary>
/// Redis's own cumulative counters (<c>INFO all</c> over a plain RESP connection): commands, PUBLISH calls and bytes in
/// and out of the server, to turn into a run's broker load by subtracting two readings.
/// </summary>
internal static class RedisInfo
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Reads the counters of the Redis at <paramref name="address"/> (<c>host:port</c>, optionally followed by <c>,options</c>).</summary>
    public static async Task<BrokerTraffic> ReadAsync(string address)
    {
        var endpoint = address.Split(',')[0];
        var colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        var port = colon > 0 ? int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture) : 6379;
        using var cancel = new CancellationTokenSource(Timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancel.Token);
        await using var stream = client.GetStream();
        await stream.WriteAsync("INFO all\r\n"u8.ToArray(), cancel.Token);
        var text = await ReadBulkStringAsync(stream, cancel.Token);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split("\r\n"))
        {
            var separator = line.IndexOf(':');
            if (separator > 0 && !line.StartsWith('#'))
            {
                fields[line[..separator]] = line[(separator + 1)..];
            }
        }

        long Field(string name) => fields.TryGetValue(name, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : 0;
        return new BrokerTraffic(
            Messages: CommandCalls(fields, "cmdstat_publish"),
            BytesIn: Field("total_net_input_bytes"),
            BytesOut: Field("total_net_output_bytes"),
            Commands: Field("total_commands_processed"));
    }

    /// <summary>The <c>calls=</c> of a <c>cmdstat_*</c> line (<c>calls=12,usec=…</c>), 0 when the command never ran.</summary>
    private static long CommandCalls(Dictionary<string, string> fields, string name)
    {
        if (!fields.TryGetValue(name, out var value))
        {
            return 0;
        }

        var calls = value.Split(',').FirstOrDefault(part => part.StartsWith("calls=", StringComparison.Ordinal));
        return calls is null ? 0 : long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>Reads one RESP bulk string (<c>$len\r\n…\r\n</c>).</summary>
    private static async Task<string> ReadBulkStringAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int? length = null;
        var headerLength = 0;
        while (length is null || buffer.Length < headerLength + length + 2)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                throw new IOException("Redis closed the connection before answering INFO.");
            }

            buffer.Write(chunk, 0, read);
            if (length is null)
            {
                var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
                var end = bytes.IndexOf("\r\n"u8);
                if (end > 0)
                {
                    if (bytes[0] != (byte)'$')
                    {
                        throw new IOException($"Redis answered INFO with '{Encoding.UTF8.GetString(bytes[..end])}'.");
                    }

                    length = int.Parse(Encoding.ASCII.GetString(bytes[1..end]), CultureInfo.InvariantCulture);
                    headerLength = end + 2;
                }
            }
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), headerLength, length.Value);
    }
}

/// <summary>
/// A broker's cumulative traffic: messages published into it, bytes it received and sent (every client, including the
/// reading connection's own few KB), commands it ran. Subtract two readings for a window.
/// </summary>
internal sealed record BrokerTraffic(long Messages, long BytesIn, long BytesOut, long Commands)
{
    public static BrokerTraffic operator -(BrokerTraffic a, BrokerTraffic b) =>
        new(a.Messages - b.Messages, a.BytesIn - b.BytesIn, a.BytesOut - b.BytesOut, a.Commands - b.Commands);
}
