using System.Diagnostics;
using System.Globalization;

namespace Fenix.Bench.Orchestration;

/// <summary>
/// The bytes the machine's RabbitMQ received from and sent to one run's nodes, from <c>rabbitmqctl list_connections</c>
/// (no management plugin needed): each node's connection is named <c>fenix node &lt;node&gt;</c>, and the run's node
/// names carry its prefix, so other users of the shared broker are not counted.
/// </summary>
internal static class RabbitMqConnections
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Bytes in and out of the broker over the connections whose name holds <paramref name="nodePrefix"/>; null when rabbitmqctl cannot answer.</summary>
    public static async Task<BrokerTraffic?> ReadAsync(string nodePrefix)
    {
        var info = new ProcessStartInfo("rabbitmqctl") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "list_connections", "recv_oct", "send_oct", "client_properties", "-q", "--no-table-headers" })
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }

            using var cancel = new CancellationTokenSource(Timeout);
            var output = await process.StandardOutput.ReadToEndAsync(cancel.Token);
            await process.WaitForExitAsync(cancel.Token);
            if (process.ExitCode != 0)
            {
                return null;
            }

            long received = 0, sent = 0;
            foreach (var line in output.Split('\n'))
            {
                if (!line.Contains($"fenix node {nodePrefix}", StringComparison.Ordinal))
                {
                    continue;
                }

                var columns = line.Split('\t');
                received += long.Parse(columns[0], CultureInfo.InvariantCulture);
                sent += long.Parse(columns[1], CultureInfo.InvariantCulture);
            }

            return new BrokerTraffic(Messages: 0, BytesIn: received, BytesOut: sent, Commands: 0);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
